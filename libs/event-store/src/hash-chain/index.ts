export { canonicalJson } from './canonical-json';
export { CHAIN_METADATA_KEY, type ChainLink, chainLinkOf, eventHash, GENESIS_HASH, type HashedEvent } from './event-hash';
export { HashChainedEventStore, type HashChainOptions } from './hash-chained-event-store';
export { ChainSealer, type ChainSealerOptions } from './chain-sealer';
export { type DigestedRange, type RangeDigester, type RangeToDigest, SEAL_EVENT_TYPE, SEAL_STREAM, type SealData } from './seal';
export {
  type ChainProblem,
  type ChainProblemEvent,
  type ChainProblemKind,
  type ChainVerification,
  describeChainEvent,
  type GaplessPositions,
  verifyChain,
  type VerifyChainOptions,
} from './verify-chain';
