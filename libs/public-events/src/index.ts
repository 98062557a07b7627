export * from './vocabulary';
export * from './public-event-of';
