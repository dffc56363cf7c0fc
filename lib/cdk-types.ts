/**
 * aws-cdk-lib's declarations are not written for `exactOptionalPropertyTypes` (our
 * tsconfig turns it on): a construct class such as `Bucket`, `Table`, `RestApi` or
 * `Version` declares `prop?: T | undefined` where its own interface says `prop?: T`, so an
 * instance does not type-check as its interface. This is the one place that says so;
 * callers pass the instance through it where an interface is expected.
 */
export function asCdkInterface<I>(construct: object): I {
  return construct as I;
}
