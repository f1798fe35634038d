import type { FastifyPluginAsync } from 'fastify';

/** Account routes under /api/v1 (to be filled in). */
export const usersRoutes: FastifyPluginAsync = async () => {};
