import type { FastifyPluginAsync } from 'fastify';

/** Public pages (to be filled in). */
export const webRoutes: FastifyPluginAsync = async () => {};
