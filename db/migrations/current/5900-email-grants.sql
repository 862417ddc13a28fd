-- The email feature's entry points are the edge's (see 1900-edge-role.sql): they take the
-- client address for limits, start sessions or spend mailed tokens on the edge's word, so
-- they are executable by auth_edge only, never by a request role.
do $$
declare
  v_fn regprocedure;
begin
  foreach v_fn in array array[
    'app_hidden.verify_email(text, inet)',
    'app_hidden.resend_verification_email(inet)',
    'app_hidden.request_password_reset(text, inet)',
    'app_hidden.reset_password(text, text, inet)',
    'app_hidden.request_sign_in_email(text, inet)',
    'app_hidden.sign_in_with_email_token(text, inet, text)',
    'app_hidden.sign_in_with_email_code(text, text, inet, text)',
    'app_hidden.change_email(text, text, inet)',
    'app_hidden.confirm_email_change(text, inet)'
  ]::regprocedure[] loop
    execute format('revoke all on function %s from public, anonymous, app_user, manager, admin, bot', v_fn);
    execute format('grant execute on function %s to auth_edge', v_fn);
  end loop;
end $$;
