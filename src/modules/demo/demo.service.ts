import type { Services } from '../../services.ts';

/** Loads the demo catalogue (示範資料) once; returns how many datasets it added. To be filled in. */
export async function loadDemoCatalogue(_s: Services): Promise<number> {
  return 0;
}
