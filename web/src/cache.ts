import type { OperationVariables } from '@apollo/client';
import { InMemoryCache, isReference, type Cache, type InMemoryCacheConfig, type StoreObject } from '@apollo/client/cache';

/** Types whose objects carry a `version` that steps by one per change the viewer can see. */
export const VERSIONED_TYPES = ['Wallet', 'Card'] as const;

/** The cache's setup: every type the app shows, keyed by id (the API's ids are global UUIDs). */
export const typePolicies: InMemoryCacheConfig['typePolicies'] = {
  Query: {
    fields: {
      // One cached history per filter; pages are appended by the screen (fetchMore + updateQuery).
      transactions: { keyArgs: ['filter'] },
    },
  },
  Wallet: { keyFields: ['id'] },
  Card: { keyFields: ['id'] },
  Transaction: { keyFields: ['id'] },
  User: {
    keyFields: ['id'],
    fields: {
      // A verified address stays verified (an email change verifies the new one): an answer
      // that says otherwise was read before the verification (a cached response) and is stale.
      emailVerified: { merge: (held: boolean | undefined, incoming: boolean) => held === true || incoming },
    },
  },
  // Money, SpendingLimit, Merchant and the like have no identity: stored inside their owner.
};

type Json = Record<string, unknown>;

/**
 * The rule of the live API, applied to every write: a Wallet or Card older than the one held is
 * not allowed to overwrite it (an answer that left the server before an event that came first),
 * and one whose version skips a number means events were missed (a reconnect, Redis away), so
 * `onGap` asks the app to catch up. Apollo's `merge` functions see one field at a time and
 * cannot compare an object's version across its fields, so the rule runs where a result is
 * written: a stale object's fields are replaced by the ones held before the write.
 */
export class VersionedCache extends InMemoryCache {
  constructor(
    config: InMemoryCacheConfig = {},
    private readonly onGap: (typename: string, id: string) => void = () => undefined,
  ) {
    super({ ...config, typePolicies: { ...typePolicies, ...config.typePolicies } });
  }

  override write<TData = unknown, TVariables extends OperationVariables = OperationVariables>(
    options: Cache.WriteOptions<TData, TVariables>,
  ) {
    if (options.result && typeof options.result === 'object') {
      let held: Record<string, StoreObject> | undefined;
      // What the cache holds, read once per write and only when a versioned object comes.
      const heldObject = (id: string) => (held ??= this.extract() as Record<string, StoreObject>)[id];
      this.guard(options.result as unknown as Json, new Set(), heldObject);
    }
    return super.write(options);
  }

  private guard(value: unknown, seen: Set<unknown>, heldObject: (id: string) => StoreObject | undefined): void {
    if (!value || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) this.guard(item, seen, heldObject);
      return;
    }
    const object = value as Json;
    for (const child of Object.values(object)) this.guard(child, seen, heldObject);
    const typename = object.__typename;
    if (typeof typename !== 'string' || !(VERSIONED_TYPES as readonly string[]).includes(typename)) return;
    if (typeof object.id !== 'string' || typeof object.version !== 'number') return;
    const id = this.identify({ __typename: typename, id: object.id });
    const held = id ? heldObject(id) : undefined;
    if (!held || typeof held.version !== 'number') return;
    const heldVersion = held.version;
    if (object.version < heldVersion) {
      // Keep what is held for every field held as plain data (scalars and nested Money):
      // fields with arguments or references to other objects are left as they came.
      for (const key of Object.keys(object)) {
        if (key === '__typename' || key === 'id' || !(key in held)) continue;
        const kept = held[key];
        if (!containsReference(kept)) object[key] = kept;
      }
    } else if (object.version > heldVersion + 1) {
      this.onGap(typename, object.id);
    }
  }
}

function containsReference(value: unknown): boolean {
  if (isReference(value)) return true;
  if (Array.isArray(value)) return value.some(containsReference);
  if (value && typeof value === 'object') return Object.values(value).some(containsReference);
  return false;
}
