/**
 * Shared by the DynamoDB stores: attribute values, reading items, and turning SDK failures
 * into errors with stable codes. Plain DynamoDBClient and attribute maps (no document
 * client), to keep the bundles small.
 */
import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { StoreError, TableNotFoundError } from '../../core/errors';

export type Item = Record<string, AttributeValue>;

export const str = (value: string): AttributeValue => ({ S: value });
export const num = (value: number): AttributeValue => ({ N: String(value) });
export const strings = (values: readonly string[]): AttributeValue => ({ SS: [...values] });

export const getS = (item: Item, name: string): string | undefined => item[name]?.S;
export const getN = (item: Item, name: string): number | undefined => (item[name]?.N !== undefined ? Number(item[name]!.N) : undefined);
export const getSS = (item: Item, name: string): string[] => [...(item[name]?.SS ?? [])].sort();

/** `{ [key]: value }` when the value is defined, else `{}` (for optional fields). */
export { TableNotFoundError };

export const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));


/**
 * Runs one SDK call: a conditional-check failure is passed through (callers expect it),
 * a missing table becomes TableNotFoundError, anything else a StoreError.
 */
export async function storeCall<T>(what: string, table: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw error;
    const e = error as { name?: string; code?: string };
    // A network failure is a plain Error with a code (ECONNREFUSED, ETIMEDOUT...): show the code.
    const name = e.name !== undefined && e.name !== 'Error' ? e.name : (e.code ?? 'Error');
    if (name === 'ResourceNotFoundException') throw new TableNotFoundError(table, { cause: error });
    throw new StoreError(`DynamoDB ${what} failed (${name})`, { cause: error });
  }
}

/** The item a failed condition saw (ReturnValuesOnConditionCheckFailure: ALL_OLD); undefined when there was none. */
export function itemOfFailedCondition(error: ConditionalCheckFailedException): Item | undefined {
  return error.Item;
}

/** Builds `SET a = :a, ...` with every name aliased (many attribute names are reserved words). */
export class UpdateBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Item = {};
  readonly #set: string[] = [];
  readonly #add: string[] = [];
  readonly #remove: string[] = [];

  name(attribute: string): string {
    this.names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  }

  value(placeholder: string, value: AttributeValue): string {
    this.values[`:${placeholder}`] = value;
    return `:${placeholder}`;
  }

  set(attribute: string, value: AttributeValue | undefined, ifNotExists = false): this {
    if (value === undefined) return this;
    const n = this.name(attribute);
    const v = this.value(attribute, value);
    this.#set.push(ifNotExists ? `${n} = if_not_exists(${n}, ${v})` : `${n} = ${v}`);
    return this;
  }

  add(attribute: string, value: AttributeValue | undefined): this {
    if (value === undefined) return this;
    this.#add.push(`${this.name(attribute)} ${this.value(attribute, value)}`);
    return this;
  }

  remove(...attributes: string[]): this {
    for (const a of attributes) this.#remove.push(this.name(a));
    return this;
  }

  expression(): string {
    return [
      this.#set.length > 0 ? `SET ${this.#set.join(', ')}` : '',
      this.#add.length > 0 ? `ADD ${this.#add.join(', ')}` : '',
      this.#remove.length > 0 ? `REMOVE ${this.#remove.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }

  /** The parts of an UpdateItem / transaction Update input. */
  build(condition?: string): { UpdateExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Item; ConditionExpression?: string } {
    return {
      UpdateExpression: this.expression(),
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length > 0 && { ExpressionAttributeValues: this.values }),
      ...(condition !== undefined && { ConditionExpression: condition }),
    };
  }
}
