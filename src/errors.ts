/**
 * The one error type services throw. `code` is stable (clients and tests match on it);
 * messages come in zh-TW and English; `details` names the offending field or row.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly zh: string,
    readonly en: string,
    readonly details?: Record<string, string[]>,
  ) {
    super(`${zh} / ${en}`);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, zhWhat: string, id: string): AppError =>
  new AppError(`${what.toUpperCase()}_NOT_FOUND`, 404, `找不到${zhWhat}：${id}`, `${what} not found: ${id}`);

/** Validation failure; details maps field → messages (each "zh / en"). */
export const invalid = (details: Record<string, string[]>): AppError => {
  const first = Object.entries(details)[0];
  const summary = first ? `${first[0]}: ${first[1][0]}` : '';
  return new AppError('VALIDATION_FAILED', 400, `資料驗證失敗 ${summary}`, `Validation failed ${summary}`, details);
};

export const badRequest = (zh: string, en: string, field?: string): AppError =>
  new AppError('BAD_REQUEST', 400, zh, en, field ? { [field]: [`${zh} / ${en}`] } : undefined);
