import type { FastifyPluginAsync } from 'fastify';

/** CKAN-compatible Action API (to be filled in). */
export const ckanRoutes: FastifyPluginAsync = async () => {};
