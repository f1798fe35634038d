import { Type, type Static } from '@sinclair/typebox';

/** What a discontinuation does on approval (docs/governance-design.md). */
export const DISCONTINUATION_KINDS = ['stop', 'to_on_application', 'to_withheld'] as const;
export type DiscontinuationKind = (typeof DISCONTINUATION_KINDS)[number];

export const PROPOSAL_STATES = ['proposed', 'approved', 'rejected', 'withdrawn'] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

export const KIND_LABELS: Record<DiscontinuationKind, { zh: string; en: string }> = {
  stop: { zh: '停止提供', en: 'Stopped' },
  to_on_application: { zh: '改為依申請提供', en: 'Now provided on application' },
  to_withheld: { zh: '改為不予提供', en: 'Now withheld' },
};

const N = Type.Union([Type.String(), Type.Null()]);
const Kind = Type.Union(DISCONTINUATION_KINDS.map((k) => Type.Literal(k)), { description: 'stop 停止提供 | to_on_application 改為依申請提供 | to_withheld 改為不予提供' });
const UnitRef = Type.Object({ name: Type.String(), title: Type.String(), titleEn: Type.String() });

/** 停止提供公告: what the public sees once the head approved a discontinuation. */
export const NoticeSchema = Type.Object(
  {
    id: Type.String(),
    datasetId: Type.String(),
    datasetName: Type.String({ description: '資料集網址名稱 URL name' }),
    title: Type.String({ description: '資料集名稱（公告時）title when the notice was published' }),
    unit: UnitRef,
    kind: Kind,
    reasons: Type.String({ description: '理由 reasons' }),
    meetingDate: Type.String({ description: '會議日期 YYYY-MM-DD' }),
    resolution: Type.String({ description: '會議決議 resolution' }),
    withholdingBasis: Type.Union([Type.String(), Type.Null()], { description: '不予提供之法律依據 (to_withheld)' }),
    applicationTerms: Type.Union([Type.String(), Type.Null()], { description: '申請方式及條件 (to_on_application)' }),
    noticeDate: Type.String({ description: '公告日期 YYYY-MM-DD' }),
  },
  { description: '停止提供公告 discontinuation notice' },
);
export type Notice = Static<typeof NoticeSchema>;

/** A proposal as the back office sees it. */
export const ProposalSchema = Type.Object({
  id: Type.String(),
  datasetId: Type.String(),
  datasetName: Type.String(),
  title: Type.String(),
  unit: UnitRef,
  kind: Kind,
  reasons: Type.String(),
  meetingDate: Type.String(),
  resolution: Type.String(),
  withholdingBasis: N,
  applicationTerms: N,
  revocable: Type.Union([Type.Boolean(), Type.Null()]),
  state: Type.Union(PROPOSAL_STATES.map((s) => Type.Literal(s))),
  proposedBy: Type.Object({ id: Type.String(), name: Type.String() }),
  proposedAt: Type.String(),
  decidedBy: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  decidedAt: N,
  decisionComment: N,
  noticeDate: N,
});
export type Proposal = Static<typeof ProposalSchema>;

const Text = (description: string, maxLength = 5000) => Type.String({ maxLength, description });

export const ProposeBodySchema = Type.Object({
  kind: Kind,
  reasons: Text('理由（必填）reasons (required)'),
  meetingDate: Text('會議日期 YYYY-MM-DD（必填）date of the meeting that resolved it (required)', 20),
  resolution: Text('會議決議（必填）the meeting\'s resolution (required)'),
  withholdingBasis: Type.Optional(Type.Union([Text('不予提供之法律依據（to_withheld 必填）legal basis (required for to_withheld)', 1000), Type.Null()])),
  applicationTerms: Type.Optional(Type.Union([Text('申請方式及條件（to_on_application 必填）how to apply (required for to_on_application)'), Type.Null()])),
  revocable: Type.Optional(Type.Boolean({ description: '授權可否撤回 (to_on_application)' })),
});
export type ProposeInput = Static<typeof ProposeBodySchema>;
