export { writeNdjson } from './write-ndjson';
