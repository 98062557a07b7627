import type { Decider, DomainEvent } from '../decider';
import { fold } from '../decider';
import { DomainError, type DomainErrorCode } from '../domain-error';

/** given(past events) / when(command) / then(new events) or thenRejects(code). */
export function specFor<Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>) {
  return {
    given: (history: readonly Event[]) => ({
      when: (command: Command) => {
        const run = () => decider.decide(command, fold(decider, history));
        return {
          then: (expected: readonly Event[]) => expect(run()).toEqual(expected),
          thenRejects: (code: DomainErrorCode) => {
            let error: unknown;
            try {
              run();
            } catch (e) {
              error = e;
            }
            expect(error).toBeInstanceOf(DomainError);
            expect((error as DomainError).code).toBe(code);
          },
        };
      },
    }),
  };
}
