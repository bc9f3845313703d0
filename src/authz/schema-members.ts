import { deployedOutline } from "../schema/deployed-outline.js";
import type { SchemaOutline } from "../schema/schema-outline.js";
import type { AuthzEngine } from "./engine.js";

const REFRESH_AT_MOST_EVERY_MS = 5_000;

export type MemberKind = "relation" | "permission";

/**
 * What the deployed schema calls each name of each type: a relation or a permission. Read once,
 * and again when a question names something not seen before (a schema applied since), at most
 * once every few seconds.
 */
export class SchemaMembers {
  private outline: SchemaOutline | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly engine: AuthzEngine,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The kind of `type#name`, answered from memory when known (no promise on the hot path). */
  kindOf(type: string, name: string): MemberKind | undefined | Promise<MemberKind | undefined> {
    const known = this.lookUp(type, name);
    if (known || this.clock() - this.readAt < REFRESH_AT_MOST_EVERY_MS) return known;
    return this.refresh().then(() => this.lookUp(type, name));
  }

  private lookUp(type: string, name: string): MemberKind | undefined {
    return this.outline?.definitions.get(type)?.members.get(name)?.kind;
  }

  private refresh(): Promise<void> {
    this.reading ??= deployedOutline(this.engine)
      .then(({ outline }) => {
        this.outline = outline;
        this.readAt = this.clock();
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
