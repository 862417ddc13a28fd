/**
 * `approveDevice(userCode, approve)`: the GraphQL way for a signed-in user to approve (or
 * deny) a device authorization (RFC 8628), e.g. from an app's own settings screen. The same
 * SQL as the page (app_hidden.approve_device, edge only): wrong codes counted per user and
 * address (Q3), no API key, service account or impersonation. CSRF and Origin are the
 * /graphql endpoint's (D2, D4).
 */
import { context } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { AuthError, isErrorCode } from '../../core/errors.ts';
import { makeCall, resultOf, safe } from '../../graphql/edge-call.ts';

export const DevicePlugin = extendSchema((build) => {
  const executor = build.input.pgRegistry.pgExecutors.main!;
  const approve = makeCall(
    executor,
    'select * from app_hidden.approve_device($1, $2, $3::inet)',
    (i, a) => [i.userCode, i.approve ?? true, a.ip],
    // A credential try (user codes are guessed): one per request, never with an API key.
    { credential: true, edge: true },
  );
  return {
    typeDefs: gql`
      type ApproveDevicePayload {
        "The app that asked (APP_<ID>_*)."
        clientId: String!
        clientName: String!
        "The code, as XXXX-XXXX."
        userCode: String!
        approved: Boolean!
      }
      extend type Mutation {
        "Approve (or deny, approve: false) the device showing this user code (RFC 8628)."
        approveDevice(userCode: String!, approve: Boolean = true): ApproveDevicePayload
      }
    `,
    objects: {
      Mutation: {
        plans: {
          approveDevice(_$root, args) {
            const $auth = context().get('auth');
            const $input = args.getRaw();
            return resultOf(approve($input, $auth), $auth, (r) => {
              if (!r) throw safe(new AuthError('INTERNAL'));
              if (r.error) throw safe(new AuthError(isErrorCode(r.error) ? r.error : 'INTERNAL'));
              return {
                clientId: r.client_id,
                clientName: r.client_name,
                userCode: r.user_code,
                approved: r.approved === true,
              };
            });
          },
        },
      },
    },
  };
});

/** Root mutation fields of this feature that try a credential (at most one per request: C6). */
export const deviceCredentialMutations = ['approveDevice'];
