import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { readCaseHistory, type LedgerVersionRow } from '../../ledger/ledger-reads';
import type { ApiContext } from '../api-context';
import type { CaseRow } from '../case-rows';
import type { AgencyRow } from '../loaders';
import { Case } from '../types/case';
import { LedgerStatus, LedgerVersion } from '../types/ledger';
import { Agency } from '../types/organisation';

/** The ledger on an agency: its chain and last verification (issue 8); null for the public and beyond one's reach. */
@Resolver(() => Agency)
export class AgencyLedgerResolver {
  @FieldResolver(() => LedgerStatus, { nullable: true, description: '防删改账本：链长、最近一次校验与检查点（公众不可见）' })
  async ledger(@Root() agency: AgencyRow, @Ctx() ctx: ApiContext): Promise<LedgerStatus | null> {
    if (ctx.viewer.role === 'PUBLIC') return null;
    const status = await ctx.loaders.ledgerStatusByAgency.load(agency.uscc);
    return status && status.entries > 0 ? status : null;
  }
}

/** A case's history from the ledger: every accepted version of it and of what hangs on it. */
@Resolver(() => Case)
export class CaseHistoryResolver {
  @FieldResolver(() => [LedgerVersion], { description: '案件及其公示、审核、复议诉讼、记录、评查的每个版本（来自防删改账本；公众视图为空）', complexity: 50 })
  async history(@Root() row: CaseRow, @Ctx() ctx: ApiContext): Promise<LedgerVersionRow[]> {
    if (ctx.viewer.role === 'PUBLIC') return [];
    return readCaseHistory(ctx.db, row.agencyUscc, row.caseId);
  }
}
