/**
 * Request-shape limits enforced at validation, before anything reaches Postgres (J2, C6):
 * selection depth, number of aliases, at most one credential mutation per request, and, in
 * production, no introspection (J1). Page sizes are capped in the page-size plugin below.
 */
import { GraphQLError, Kind, NoSchemaIntrospectionCustomRule, type ValidationRule } from 'postgraphile/graphql';
import { lambda, SafeError } from 'postgraphile/grafast';

const limitError = (message: string, node: import('postgraphile/graphql').ASTNode) =>
  new GraphQLError(message, { nodes: [node], extensions: { code: 'LIMIT' } });

export function depthLimitRule(max: number): ValidationRule {
  return (ctx) => {
    let depth = 0;
    return {
      SelectionSet: {
        enter(node) {
          if (++depth > max) ctx.reportError(limitError(`Query depth exceeds ${max}`, node));
        },
        leave() {
          depth--;
        },
      },
    };
  };
}

export function aliasLimitRule(max: number): ValidationRule {
  return (ctx) => {
    let n = 0;
    return {
      Field(node) {
        if (node.alias && ++n === max + 1) ctx.reportError(limitError(`More than ${max} aliases`, node));
      },
    };
  };
}

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
  maxDepth: number;
  maxAliases: number;
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
            depthLimitRule(opts.maxDepth),
            aliasLimitRule(opts.maxAliases),
            oneCredentialMutationRule(opts.credentialMutations),
          );
          if (!opts.introspection) event.validationRules.push(NoSchemaIntrospectionCustomRule);
          return next();
        },
      },
    },
  };
}

export const MAX_PAGE_SIZE = 100;

/** Rejects `first`/`last` above MAX_PAGE_SIZE on every connection. */
export const PageSizeLimitPlugin: GraphileConfig.Plugin = {
  name: 'PgAuthPageSizeLimitPlugin',
  version: '1.0.0',
  after: ['PgFirstLastBeforeAfterArgsPlugin'],
  schema: {
    hooks: {
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
                return n as number | null | undefined;
              },
              true,
            );
            return (orig as (...a: unknown[]) => unknown)(
              parent,
              $target,
              { ...fieldArg, getRaw: () => $capped },
              info,
            );
          }) as typeof orig;
        }
        return args;
      },
    },
  },
};
