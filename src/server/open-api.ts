import type { Pool } from 'pg';
import type { SourceDefinition } from '../../etl/sources/source-definition';
import { apiDatabaseUrl, createApiPool } from '../access/api-login';
import { openApiTokens, type ApiTokens } from '../access/api-tokens';
import type { HubConfig } from '../config';
import type { PolicyProfile } from '../domain/profile/policy-profile';
import { writeDisplayPeriodRules } from '../warehouse/display-period-rules';
import { createApiActions } from './api-actions';
import { createApiEndpoints, type ApiEndpoints } from './api-endpoints';

export interface OpenApi { endpoints: ApiEndpoints; apiPool: Pool; tokens: ApiTokens; close(): Promise<void> }

/**
 * Everything the API needs, set up by the warehouse's owner on a migrated warehouse: the profile's display
 * periods written for the public view's policy, the API's login role, its pool, the token keys, the endpoints.
 */
export async function openApi(options: {
  ownerPool: Pool; ownerUrl: string; config: HubConfig; profile: PolicyProfile; sources: readonly SourceDefinition[]; log(line: string): void;
}): Promise<OpenApi> {
  await writeDisplayPeriodRules(options.ownerPool, options.profile);
  const apiUrl = await apiDatabaseUrl(options.ownerPool, options.ownerUrl, options.config.api);
  const apiPool = createApiPool(apiUrl);
  try {
    const tokens = await openApiTokens(options.ownerPool, options.config.api);
    const endpoints = await createApiEndpoints({
      apiPool, apiUrl, tokens, profile: options.profile, config: options.config.api, production: options.config.production, log: options.log,
      actions: createApiActions({ ownerPool: options.ownerPool, sources: options.sources, profile: options.profile, log: options.log }),
    });
    return { endpoints, apiPool, tokens, close: async () => { await endpoints.stop(); await apiPool.end(); } };
  } catch (error) {
    await apiPool.end();
    throw error;
  }
}
