import type { FastifyPluginAsync } from 'fastify';

/** Serves the demo catalogue's files (to be filled in). */
export const demoRoutes: FastifyPluginAsync = async () => {};
