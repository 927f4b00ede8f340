from django.urls import path

from sendtrust.people.views import account, pupils, signin, staff

app_name = "people"
urlpatterns = [
    # Signing in (the `login` route itself is sendtrust.urls' and points at signin.sign_in).
    path("login/code/", signin.sign_in_code, name="sign_in_code"),
    path("account/confirm/", signin.reauth, name="reauth"),
    path("account/password/reset/", account.password_reset, name="password_reset"),
    path("account/password/reset/sent/", account.password_reset_done,
         name="password_reset_done"),
    path("account/set-password/<uidb64>/<token>/", account.set_password, name="set_password"),
    path("account/set-password/done/", account.set_password_done, name="set_password_done"),
    # Your own account.
    path("account/", account.account, name="account"),
    path("account/password/", account.change_password, name="change_password"),
    path("account/two-factor/", account.two_factor, name="two_factor"),
    path("account/two-factor/setup/", account.setup_totp, name="setup_totp"),
    path("account/two-factor/recovery-codes/", account.recovery_codes, name="recovery_codes"),
    path("account/two-factor/remove/", account.remove_authenticator,
         name="remove_authenticator"),
    path("account/tokens/", account.tokens, name="tokens"),
    path("account/tokens/new/", account.create_token, name="create_token"),
    path("account/tokens/<str:ref>/revoke/", account.revoke_token, name="revoke_token"),
    # Staff of a trust.
    path("trusts/<uuid:code>/people/", staff.staff, name="staff"),
    path("trusts/<uuid:code>/people/new/", staff.add_staff, name="add_staff"),
    path("trusts/<uuid:code>/people/import/", staff.import_staff, name="import_staff"),
    path("trusts/<uuid:code>/people/import/template.csv", staff.import_template,
         name="import_template"),
    path("memberships/<str:ref>/end/", staff.end_membership, name="end_membership"),
    path("memberships/<str:ref>/invite/", staff.resend_invitation, name="resend_invitation"),
    path("trusts/<uuid:code>/retention/", pupils.retention_policy, name="retention"),
    # A pupil's family and data rights.
    path("pupils/<uuid:code>/invite-parent/", pupils.invite_parent, name="invite_parent"),
    path("pupils/<uuid:code>/subject-access/", pupils.subject_access, name="subject_access"),
]
