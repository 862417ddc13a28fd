/**
 * Request-shape limits enforced at validation, before anything reaches Postgres (J2, C6):
 * depth, breadth, aliases and estimated cost with fragments expanded, at most one credential
 * mutation per request, and, in production, no introspection (J1). Page sizes are capped,
 * and defaulted when a client asks for none, in the page-size plugin below.
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type SelectionSetNode,
  type ValidationRule,
} from 'postgraphile/graphql';
import { ConstantStep, lambda, SafeError } from 'postgraphile/grafast';
import { AuthError } from '../core/errors.ts';

const limitError = (message: string, node: import('postgraphile/graphql').ASTNode) =>
  new GraphQLError(message, { nodes: [node], extensions: { code: 'LIMIT' } });

export interface ShapeLimits {
  maxDepth: number;
  maxAliases: number;
  /** Result fields with fragments expanded and lists counted once. */
  maxFields: number;
  /** Estimated result size: every field counts 1, times the page size of each list above it. */
  maxCost: number;
  /** The page size assumed for a list or connection without a literal first/last. */
  defaultPageSize: number;
  /** Bytes of GraphQL document text, checked before parsing: with the bounded document cache
   * (GRAPHQL_DOCUMENT_CACHE_SIZE) it bounds the memory unique documents can hold. */
  maxDocumentBytes: number;
}

interface Shape {
  depth: number;
  fields: number;
  aliases: number;
  cost: number;
}

const NONE: Shape = { depth: 0, fields: 0, aliases: 0, cost: 0 };

/**
 * Depth, breadth, aliases and cost measured on the operation with every fragment expanded
 * where it is spread (J2): a fragment spread ten times counts ten times, so nesting fragments
 * cannot hide a query's real size. Each fragment is measured once (memoised) and multiplied,
 * so the measurement itself stays linear in the document.
 */
export function shapeLimitRule(
  limits: ShapeLimits,
  opts: { introspection: boolean } = { introspection: false },
): ValidationRule {
  return (ctx) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of ctx.getDocument().definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    }
    const memo = new Map<string, Shape>();
    const pageOf = (field: FieldNode): number => {
      for (const a of field.arguments ?? []) {
        if ((a.name.value === 'first' || a.name.value === 'last') && a.value.kind === Kind.INT) {
          return Math.min(Number(a.value.value), MAX_PAGE_SIZE);
        }
      }
      return limits.defaultPageSize;
    };
    const measure = (set: SelectionSetNode | undefined, parent: GraphQLOutputType | null, seen: Set<string>): Shape => {
      if (!set) return NONE;
      const out = { depth: 0, fields: 0, aliases: 0, cost: 0 };
      const add = (s: Shape, times = 1) => {
        out.depth = Math.max(out.depth, s.depth);
        out.fields += s.fields * times;
        out.aliases += s.aliases * times;
        out.cost += s.cost * times;
      };
      const named = parent ? getNamedType(parent) : null;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          // Where introspection is allowed (development), the IDE's own schema query is
          // deeper than any limit meant for data; elsewhere introspection is refused anyway.
          if (opts.introspection && sel.selectionSet && sel.name.value.startsWith('__')) continue;
          const def = named && isObjectOrInterface(named) ? named.getFields()[sel.name.value] : undefined;
          const type = def?.type ?? null;
          // Connections multiply what is below them by their page size; their nodes/edges lists
          // do not multiply again. Other lists use the default page size.
          const typeName = type ? getNamedType(type).name : '';
          const connection = typeName.endsWith('Connection');
          const inConnection = named?.name.endsWith('Connection') ?? false;
          const list = type ? isListType(getNullableType(type)) : false;
          const times = connection ? pageOf(sel) : list && !inConnection ? limits.defaultPageSize : 1;
          const below = measure(sel.selectionSet, type, seen);
          out.depth = Math.max(out.depth, sel.selectionSet ? below.depth + 1 : 0);
          out.fields += 1 + below.fields;
          out.aliases += (sel.alias ? 1 : 0) + below.aliases;
          out.cost += 1 + times * below.cost;
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          const cond = sel.typeCondition ? ctx.getSchema().getType(sel.typeCondition.name.value) : null;
          add(measure(sel.selectionSet, (cond as GraphQLOutputType | null) ?? parent, seen));
        } else {
          const name = sel.name.value;
          const frag = fragments.get(name);
          if (!frag || seen.has(name)) continue; // unknown or cyclic: other rules report it
          let shape = memo.get(name);
          if (!shape) {
            const cond = ctx.getSchema().getType(frag.typeCondition.name.value) as GraphQLOutputType | null;
            shape = measure(frag.selectionSet, cond, new Set([...seen, name]));
            memo.set(name, shape);
          }
          add(shape);
        }
      }
      return out;
    };
    return {
      OperationDefinition(op) {
        const root =
          op.operation === 'query'
            ? ctx.getSchema().getQueryType()
            : op.operation === 'mutation'
              ? ctx.getSchema().getMutationType()
              : ctx.getSchema().getSubscriptionType();
        const s = measure(op.selectionSet, root ?? null, new Set());
        const over =
          s.depth > limits.maxDepth
            ? `Query depth ${s.depth} exceeds ${limits.maxDepth}`
            : s.aliases > limits.maxAliases
              ? `More than ${limits.maxAliases} aliases`
              : s.fields > limits.maxFields
                ? `More than ${limits.maxFields} fields`
                : s.cost > limits.maxCost
                  ? `Estimated result size ${s.cost} exceeds ${limits.maxCost}`
                  : null;
        if (over) ctx.reportError(limitError(over, op));
      },
    };
  };
}

const isObjectOrInterface = (t: GraphQLNamedType): t is GraphQLObjectType | GraphQLInterfaceType =>
  isObjectType(t) || isInterfaceType(t);

/** Aliases cannot multiply password or token attempts: one credential mutation per document. */
export const oneCredentialMutationRule =
  (credentialMutations: ReadonlySet<string>): ValidationRule =>
  (ctx) => {
    let n = 0;
    return {
      OperationDefinition(op) {
        if (op.operation !== 'mutation') return;
        for (const sel of op.selectionSet.selections) {
          if (sel.kind === Kind.FIELD && credentialMutations.has(sel.name.value) && ++n === 2) {
            ctx.reportError(limitError('Only one sign-in, registration, refresh or password change per request', sel));
          }
          if (sel.kind !== Kind.FIELD)
            ctx.reportError(limitError('Fragments are not allowed at the mutation root', sel));
        }
      },
    };
  };

export function limitsPlugin(opts: {
  shape: ShapeLimits;
  introspection: boolean;
  credentialMutations: ReadonlySet<string>;
}): GraphileConfig.Plugin {
  return {
    name: 'PgAuthLimitsPlugin',
    version: '1.0.0',
    grafserv: {
      middleware: {
        setPreset(next, event) {
          event.validationRules.push(
            shapeLimitRule(opts.shape, { introspection: opts.introspection }),
            oneCredentialMutationRule(opts.credentialMutations),
          );
          if (!opts.introspection) event.validationRules.push(NoSchemaIntrospectionCustomRule);
          return next();
        },
        processGraphQLRequestBody(next, event) {
          const query = (event.body as { query?: unknown }).query;
          if (typeof query === 'string' && Buffer.byteLength(query) > opts.shape.maxDocumentBytes) {
            throw new SafeError(new AuthError('TOOBIG').message, { code: 'TOOBIG', statusCode: 413 });
          }
          return next();
        },
      },
    },
  };
}

export const MAX_PAGE_SIZE = 100;

type PlanFn = (...a: unknown[]) => unknown;
const absent = ($s: unknown) => $s instanceof ConstantStep && $s.data === undefined;

/**
 * Page sizes on every connection and list (J2): `first`/`last` above MAX_PAGE_SIZE are
 * refused with LIMIT, and a connection queried without either (or with a null `first`) gets
 * `defaultPageSize` rows instead of the whole table.
 */
export function pageSizePlugin(defaultPageSize: number): GraphileConfig.Plugin {
  return {
    name: 'PgAuthPageSizePlugin',
    version: '1.0.0',
    after: ['PgFirstLastBeforeAfterArgsPlugin'],
    schema: {
      hooks: {
        GraphQLObjectType_fields_field(field, _build, context) {
          const { isPgFieldConnection, isPgFieldSimpleCollection } = context.scope as {
            isPgFieldConnection?: boolean;
            isPgFieldSimpleCollection?: boolean;
          };
          const orig = field.plan as PlanFn | undefined;
          // (first/last are added to the field after this hook, so they are looked up at plan time.)
          if (!(isPgFieldConnection || isPgFieldSimpleCollection) || !orig) return field;
          field.plan = ((parent: unknown, fieldArgs: { getRaw(name: string): unknown }, info: unknown) => {
            const $result = orig(parent, fieldArgs, info) as { setFirst?(n: number): void };
            const raw = (name: string) => {
              try {
                return fieldArgs.getRaw(name);
              } catch {
                return undefined; // the field has no such argument
              }
            };
            // Arguments a client did not send are not applied at all (grafast skips them).
            const first = raw('first');
            if (first !== undefined && absent(first) && (raw('last') === undefined || absent(raw('last')))) {
              $result.setFirst?.(defaultPageSize);
            }
            return $result;
          }) as typeof field.plan;
          return field;
        },
        GraphQLObjectType_fields_field_args(args) {
          for (const key of ['first', 'last'] as const) {
            const arg = args[key];
            const orig = arg?.applyPlan;
            if (!arg || !orig) continue;
            arg.applyPlan = ((parent: unknown, $target: unknown, fieldArg: { getRaw(): unknown }, info: unknown) => {
              const $capped = lambda(
                fieldArg.getRaw() as never,
                (n: unknown) => {
                  if (typeof n === 'number' && (n < 0 || n > MAX_PAGE_SIZE)) {
                    throw new SafeError(`'${key}' must be between 0 and ${MAX_PAGE_SIZE}`, { code: 'LIMIT' });
                  }
                  // An explicit null first means "no page size": the default applies.
                  return key === 'first' ? ((n as number | null | undefined) ?? defaultPageSize) : n;
                },
                true,
              );
              return (orig as PlanFn)(parent, $target, { ...fieldArg, getRaw: () => $capped }, info);
            }) as typeof orig;
          }
          return args;
        },
      },
    },
  };
}
