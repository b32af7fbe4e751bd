// A set of field paths, as structured-merge-diff's fieldpath.Set: a tree whose nodes hold the
// members (paths that end there) and the children (paths that go on). Its JSON form is metadata.
// managedFields[].fieldsV1. Sets are values: the operations return new sets and never modify their
// operands (only `insert`, used while building one, mutates). Pure.
import {
  comparePathElements,
  compareStrings,
  deserializePathElement,
  type Path,
  type PathElement,
  pathToString,
  serializePathElement,
  UnknownPathElementType,
} from "./pathelement.js";

interface Child {
  pe: PathElement;
  set: FieldSet;
}

function byPathElement<T>(entries: Iterable<[string, T]>, pe: (t: T) => PathElement): T[] {
  return [...entries].map(([, t]) => t).sort((a, b) => comparePathElements(pe(a), pe(b)));
}

export class FieldSet {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** A set from the members of one node and the sets below its children (empty children dropped). */
  static compose(members: PathElement[], children: [PathElement, FieldSet][]): FieldSet {
    const s = new FieldSet();
    for (const pe of members) s.members.set(serializePathElement(pe), pe);
    for (const [pe, set] of children) s.addChild(pe, set);
    return s;
  }

  /** Adds the field at `p` (not its parents). The empty path (the whole object) is never owned. */
  insert(p: Path): this {
    if (p.length === 0) return this;
    let s: FieldSet = this;
    for (let i = 0; i < p.length - 1; i++) s = s.descend(p[i]!);
    const last = p[p.length - 1]!;
    s.members.set(serializePathElement(last), last);
    return this;
  }

  private descend(pe: PathElement): FieldSet {
    const k = serializePathElement(pe);
    let c = this.children.get(k);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(k, c);
    }
    return c.set;
  }

  private addChild(pe: PathElement, set: FieldSet): void {
    if (!set.empty()) this.children.set(serializePathElement(pe), { pe, set });
  }

  /** Whether the field at `p` is a member (owning a child does not own the parent). */
  has(p: Path): boolean {
    if (p.length === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < p.length - 1 && s; i++) s = s.children.get(serializePathElement(p[i]!))?.set;
    return s?.members.has(serializePathElement(p[p.length - 1]!)) ?? false;
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePathElement(pe));
  }

  empty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  /** The paths below `pe`, without the prefix (WithPrefix). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePathElement(pe))?.set ?? new FieldSet();
  }

  /** The path elements of the children (paths going on below this node), sorted. */
  childElements(): PathElement[] {
    return byPathElement(this.children, (c) => c.pe).map((c) => c.pe);
  }

  /** The path elements of the members of this node, sorted. */
  memberElements(): PathElement[] {
    return byPathElement(this.members, (pe) => pe);
  }

  union(o: FieldSet): FieldSet {
    if (o.empty()) return this; // sets are values: sharing one is safe
    if (this.empty()) return o;
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, pe] of o.members) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const c2 = o.children.get(k);
      out.addChild(c.pe, c2 ? c.set.union(c2.set) : c.set);
    }
    for (const [k, c2] of o.children) if (!this.children.has(k)) out.addChild(c2.pe, c2.set);
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const c2 = o.children.get(k);
      if (c2) out.addChild(c.pe, c.set.intersection(c2.set));
    }
    return out;
  }

  /** Members of this set not in `o`, compared path by path (a parent in `o` does not remove children). */
  difference(o: FieldSet): FieldSet {
    if (o.empty()) return this;
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const c2 = o.children.get(k);
      out.addChild(c.pe, c2 ? c.set.difference(c2.set) : c.set);
    }
    return out;
  }

  /** Like difference, but a member of `o` also removes everything below it (ignored fields). */
  recursiveDifference(o: FieldSet): FieldSet {
    if (o.empty()) return this;
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (o.members.has(k)) continue;
      const c2 = o.children.get(k);
      out.addChild(c.pe, c2 ? c.set.recursiveDifference(c2.set) : c.set);
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    return this.difference(o).empty() && o.difference(this).empty();
  }

  /** Every member path, members of a node before its children, each group in path-element order. */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (s: FieldSet, prefix: Path): void => {
      for (const pe of s.memberElements()) out.push([...prefix, pe]);
      for (const c of byPathElement(s.children, (c) => c.pe)) walk(c.set, [...prefix, c.pe]);
    };
    walk(this, []);
    return out;
  }

  /** The paths as upstream prints them, one per line (Set.String). */
  toString(): string {
    return this.paths().map(pathToString).join("\n");
  }

  /** The fieldsV1 JSON object (Set.ToJSON): `{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}`. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys = [...this.members.keys()];
    for (const k of this.children.keys()) if (!this.members.has(k)) keys.push(k);
    // a node that is a member and has children says so first: `{".":{},"f:image":{}}`
    if (includeSelf && keys.length > 0) out["."] = {};
    // field names alone (the usual node) sort as their serialized forms `f:name` do
    if (keys.every((k) => k.startsWith("f:"))) keys.sort(compareStrings);
    else keys.sort((a, b) => comparePathElements(this.elementOf(a), this.elementOf(b)));
    for (const k of keys) {
      const c = this.children.get(k);
      out[k] = c ? c.set.emit(this.members.has(k)) : {};
    }
    return out;
  }

  private elementOf(k: string): PathElement {
    return (this.members.get(k) ?? this.children.get(k)?.pe)!;
  }

  /** Set.FromJSON: reads fieldsV1; unknown path element types are dropped, as upstream does. */
  static fromFieldsV1(json: unknown): FieldSet {
    const read = (node: unknown): { set: FieldSet; isMember: boolean } => {
      const set = new FieldSet();
      let isMember = false;
      if (typeof node !== "object" || node === null || Array.isArray(node))
        throw new Error("expected a JSON object in fieldsV1");
      const entries = Object.entries(node as Record<string, unknown>);
      for (const [k, v] of entries) {
        if (k === ".") {
          isMember = true;
          continue;
        }
        let pe: PathElement;
        try {
          pe = deserializePathElement(k);
        } catch (err) {
          if (err instanceof UnknownPathElementType) continue;
          throw new Error(`parsing key as path element: ${(err as Error).message}`);
        }
        const child = read(v);
        if (child.isMember) set.members.set(serializePathElement(pe), pe);
        set.addChild(pe, child.set);
      }
      // a node without members or children below it is a member (`"f:a":{}`)
      if (set.members.size === 0 && set.children.size === 0) isMember = true;
      return { set, isMember };
    };
    return read(json ?? {}).set;
  }
}
