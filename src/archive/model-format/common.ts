import { z } from "zod";

/**
 * Building blocks of the archive's catalog document (docs/archives.md, "The catalog document"). Every
 * object is strict: a key this release does not know fails the read, naming its path, instead of
 * being dropped (an archive written by a newer release is refused rather than restored in part).
 */

/** A source object id: the key other entries use to refer to the object (never a destination OID). */
export const objectId = z.number().int().nonnegative();
export const text = z.string();
export const texts = z.array(z.string());
export const count = z.number().int();
/** A byte or row figure: a whole number that may pass 2^31. */
export const amount = z.number().int().nonnegative();

export const qualifiedName = z.strictObject({ schema: text, name: text });

/** "The keys of A and of B are the same": checked at compile time for every kind of the document. */
export type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : { readonly onlyInModel: Exclude<keyof A, keyof B>; readonly onlyInDocument: Exclude<keyof B, keyof A> };

/** Compile-time proof that a document kind reads back as the model's kind, with no key left out. */
export type Mirrors<Model, Schema extends z.ZodType> =
  z.output<Schema> extends Model
    ? SameKeys<Model, z.output<Schema>>
    : { readonly notAssignable: z.output<Schema> };
