/**
 * An update that matches no row the caller may update answers NTFND, like a delete does
 * (PostGraphile's update returns a null result silently): a client learns the write did not
 * happen, and the refusal is audited like every other (K2, I1). The check is one more key on
 * the mutation's payload object, so the payload's own plans are untouched.
 */
import { lambda, object, SafeError } from 'postgraphile/grafast';
import { AuthError } from '../core/errors.ts';

type PlanFn = (...a: unknown[]) => unknown;

const notFound = (row: unknown) => {
  if (row == null) throw new SafeError(new AuthError('NTFND').message, { code: 'NTFND' });
  return true;
};

export const MissingRowsPlugin: GraphileConfig.Plugin = {
  name: 'PgAuthMissingRowsPlugin',
  version: '1.0.0',
  schema: {
    hooks: {
      GraphQLObjectType_fields_field(field, _build, context) {
        const orig = field.plan as PlanFn | undefined;
        if (!(context.scope as { isPgUpdateMutation?: boolean }).isPgUpdateMutation || !orig) return field;
        field.plan = ((...args: unknown[]) => {
          const $payload = orig(...args) as { getStepForKey(key: string): never };
          const $update = $payload.getStepForKey('result');
          return object({ result: $update, found: lambda($update, notFound) });
        }) as typeof field.plan;
        return field;
      },
    },
  },
};
