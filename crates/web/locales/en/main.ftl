# Interface text of fanguai in English. Every key here must exist in zh-CN/main.ftl
# (the default language); a test checks that both files have exactly the same keys.

## Common
app-name = Anti-Trafficking Joint Conference
skip-to-content = Skip to content
footer-text = This system holds protected personal data. Authorized staff only, for their duties; every action is recorded.
nav-label = Main navigation
nav-home = Home
nav-units = Member units
nav-users = Users
nav-audit = Audit log
nav-account = My account
nav-logout = Log out
copy = Copy
cancel = Cancel
page-of = Page { $page }
pager-label = Pages
pager-prev = Previous
pager-next = Next
pager-position = Page { $page } of { $pages }

## Fields
field-username = Username
field-display-name = Name
field-phone = Mobile number
field-unit = Unit
field-roles = Roles
field-status = Status

## Login
login-title = Log in
login-lead = Enter your username and password.
login-username = Username
login-password = Password
login-submit = Log in
login-missing = Enter both username and password.
totp-title = Two-step verification
totp-lead = Enter the 6-digit code shown in your authenticator app.
totp-code = Code
totp-code-hint = 6 digits, renewed every 30 seconds.
totp-submit = Verify
totp-restart = Start again
enrol-title = Set up two-step verification
enrol-lead = Your account needs two-step verification. Add it to the authenticator app on your phone.
enrol-step-scan = Scan the QR code with your authenticator app:
enrol-qr-label = Authenticator QR code
enrol-step-secret = If you cannot scan it, type this key instead:
enrol-step-confirm = Enter the code the app shows to finish.
enrol-submit = Confirm and log in

## Authentication outcomes
auth-bad-credentials = Wrong username or password.
auth-bad-code = Wrong or expired code. Please try again.
auth-locked = The account is locked for a while after repeated failures.
auth-locked-until = The account is locked after repeated failures until { $time } (China Standard Time).
auth-disabled = This account is disabled. Contact the system administrator.
auth-session-expired = Your session has expired. Please log in again.
auth-second-factor-pending = Complete two-step verification first.

## Home
home-title = Home
home-welcome = Welcome, { $name }
home-you = About me
home-may = What I may do
home-may-nothing = Your roles currently allow no actions.
home-links = Shortcuts

## Member units
units-title = Member units of the joint conference
units-lead = { $count } member units and their duties.
units-lead-unit = Lead unit
units-duties = Duties
units-liaison = Liaison
units-no-liaison = No liaison named yet.
units-members = Users of this unit
units-no-members = No users yet.

## User administration
users-title = Users
users-count = { $count } accounts
users-new = New user
users-create = Create user
users-save = Save
users-edit = Edit
users-edit-title = Unit and roles of { $username }
users-actions = Actions
users-enable = Enable
users-disable = Disable
users-reset-password = Reset password
users-reset-2fa = Reset two-step verification
users-confirm-disable = Disable account { $username }? All its sessions end at once.
users-confirm-reset-password = Reset the password of { $username }? The old one stops working.
users-confirm-reset-2fa = Reset two-step verification of { $username }? They set it up again at their next login.
users-status-disabled = Disabled
users-status-locked = Locked
users-status-2fa = Two-step verification on
users-status-no-2fa = No two-step verification
users-status-initial-password = Initial password
users-username-hint = 3 to 32 lower-case letters, digits, dots, underscores or hyphens, e.g. zhang.san.
users-phone-hint = Optional, 11-digit mobile number.
users-choose-unit = Choose a unit
users-username-taken = This username is already taken.
users-secret-title = Initial password
users-secret-lead = One-time initial password of { $username }:
users-secret-once = This password is shown only once. Hand it to the person through a safe channel; they must change it at first login.
users-back = Back to users
users-done-assigned = Unit and roles updated.
users-done-disabled = Account disabled.
users-done-enabled = Account enabled.
users-done-reset-2fa = Two-step verification reset.
users-done-liaison = Named liaison of their unit.
users-status-liaison = Unit liaison
users-make-liaison = Make unit liaison

## Audit log
audit-title = Audit log
audit-chain = Hash chain integrity
audit-chain-intact = Hash chain intact: { $count } events, no edit or gap found.
audit-chain-broken = Hash chain broken: verification fails from event { $seq } ({ $kind }). Report this at once.
audit-filter = Filter
audit-user = User
audit-unit = Unit
audit-record-type = Record type
audit-record-id = Record id
audit-record = Record
audit-action = Action
audit-from = From
audit-to = Until
audit-apply = Search
audit-results = { $count } events
audit-time = Time (China Standard Time)
audit-outcome = Outcome
audit-detail = Detail
audit-none = No events match.
audit-bad-time = Enter a valid date and time.

## My account
account-title = My account
account-2fa = Two-step verification
account-2fa-on = On
account-2fa-off = Off
account-change-password = Change password
account-current-password = Current password
account-new-password = New password
account-confirm-password = New password again
account-password-rules = At least 12 characters, not all of one kind, not containing the username; passphrases with spaces are welcome.
account-passwords-differ = The two new passwords differ.
account-must-change-password = You are using the initial password set by an administrator. Change it before using the system.
account-reenrol = Change authenticator
account-reenrol-lead = Set up two-step verification again when you change phone or app. The old authenticator keeps working until you confirm a code from the new one.
account-reenrol-start = Set up again
account-reenrol-confirm = Confirm the change
account-done-password = Password changed. Your other sessions have ended.
account-done-2fa = The new authenticator is active.

## Errors
error-title = Error
error-back-home = Back to the home page
error-bad-request = The request is malformed.
error-login-required = Please log in first.
error-forbidden = You are not allowed to do this. The attempt has been recorded.
error-csrf = The form has expired or comes from elsewhere. Reload the page and try again.
error-not-found = The page you asked for does not exist.
error-method-not-allowed = This request method is not supported here.
error-timeout = The request took too long. Please try again later.
error-conflict = The data was changed by someone else or conflicts with an existing record.
error-payload-too-large = What you sent is too large.
error-invalid = Some input is not valid. Please check and try again.
error-json-expected = The request body must be JSON (Content-Type: application/json).
error-rate-limited = Too many attempts. Please wait a moment and try again.
error-internal = Internal error; it has been logged. Try again later or contact the system administrator.
error-unavailable = The system is temporarily unavailable. Please try again later.

## What I may do (capabilities of the access policy)
cap-own_account = Manage your own account (password, two-step verification)
cap-unit_directory = See the member-unit directory and duties
cap-users = Manage user accounts
cap-units = Manage member units
cap-configuration = Manage system configuration
cap-keys = Rotate encryption keys
cap-audit_log = Read the audit log
cap-audit_verify = Verify the audit hash chain
cap-figures = See your unit's figures
cap-city_figures = See city-wide figures
cap-masked_summaries = See masked summaries
cap-conference_tasks = Manage conference tasks and supervision
cap-unit_work = See your unit's work (tasks, plans, activities)
cap-unit_work_edit = Edit your unit's work
cap-submit_tip = Record tips
cap-tips = Handle tips
cap-cases = Work on criminal cases
cap-victims = Care for rescued victims
cap-break_glass = Break-glass access (reason required, recorded)
cap-dna_profiles = See DNA samples (sample codes only)
cap-kinship_search = Run kinship searches
cap-frequency_tables = Manage allele frequency tables

## Input validation
invalid-username-too_short = A username has at least 3 characters.
invalid-username-too_long = A username has at most 32 characters.
invalid-username-character = Use only a-z, 0-9, '.', '_' or '-' in a username.
invalid-username-start = A username starts with a letter or a digit.
invalid-username-taken = This username is already taken.
invalid-person_name-empty = Enter a name.
invalid-person_name-too_long = The name is too long.
invalid-person_name-control = The name contains invisible control characters.
invalid-phone-empty = Enter a phone number.
invalid-phone-character = A phone number contains digits only.
invalid-phone-country = Only mainland China numbers are accepted.
invalid-phone-mobile_length = A mobile number has 11 digits.
invalid-phone-mobile_prefix = This mobile prefix does not exist.
invalid-phone-area_code = The area code is not valid.
invalid-phone-subscriber_length = The number has the wrong length.
invalid-phone-subscriber_start = The number starts with an invalid digit.
invalid-phone-format = The phone number is not in a valid format.
invalid-password-too_short = A password has at least 12 characters.
invalid-password-too_long = A password has at most 128 characters.
invalid-password-one_class = Mix letters, digits or symbols: a password is not all of one kind.
invalid-password-contains_username = A password may not contain the username.
invalid-password-control = The password contains invisible control characters.
invalid-password-unchanged = The new password must differ from the current one.
invalid-auth-bad_credentials = The current password is wrong.
invalid-enrolment-none_pending = No authenticator is waiting for confirmation; start again.
invalid-roles-empty = Choose at least one role.
invalid-roles-unknown = A chosen role does not exist.
invalid-role-unknown = A chosen role does not exist.
invalid-unit-unknown = The chosen unit does not exist.
invalid-users-not_on_self = You cannot do this to your own account.
invalid-users-disabled = A disabled account cannot be a liaison.
