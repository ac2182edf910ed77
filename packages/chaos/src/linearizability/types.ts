/** A scenario: each client's operations, in order. */
export type Scenario<I> = readonly (readonly I[])[];
