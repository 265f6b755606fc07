# 反拐信息系统界面文字(简体中文,默认语言)。
# 每个键在 en/main.ftl 中必须有对应译文;测试会检查两者的键完全一致。

## 通用
app-name = 反拐联席会议信息系统
skip-to-content = 跳到正文
footer-text = 本系统含有受保护的个人信息,仅限授权人员依职责使用,所有操作均被记录。
nav-label = 主导航
nav-home = 首页
nav-units = 成员单位
nav-users = 用户管理
nav-audit = 审计日志
nav-account = 我的账户
nav-logout = 退出登录
copy = 复制
cancel = 取消
page-of = 第 { $page } 页
pager-label = 分页
pager-prev = 上一页
pager-next = 下一页
pager-position = 第 { $page } 页,共 { $pages } 页

## 字段
field-username = 用户名
field-display-name = 姓名
field-phone = 手机号码
field-unit = 所在单位
field-roles = 角色
field-status = 状态

## 登录
login-title = 登录
login-lead = 请输入您的用户名和密码。
login-username = 用户名
login-password = 密码
login-submit = 登录
login-missing = 请填写用户名和密码。
totp-title = 两步验证
totp-lead = 请输入身份验证器应用中显示的 6 位动态验证码。
totp-code = 验证码
totp-code-hint = 6 位数字,每 30 秒更新一次。
totp-submit = 验证
totp-restart = 重新登录
enrol-title = 设置两步验证
enrol-lead = 您的账户需要两步验证。请在手机上的身份验证器应用中添加本账户。
enrol-step-scan = 用身份验证器应用扫描二维码:
enrol-qr-label = 身份验证器二维码
enrol-step-secret = 无法扫描时,手动输入以下密钥:
enrol-step-confirm = 输入应用中显示的验证码以完成设置。
enrol-submit = 确认并登录

## 认证结果
auth-bad-credentials = 用户名或密码错误。
auth-bad-code = 验证码错误或已过期,请重试。
auth-locked = 由于多次验证失败,账户已被暂时锁定。
auth-locked-until = 由于多次验证失败,账户已被锁定至 { $time }(北京时间)。
auth-disabled = 该账户已被停用,请联系系统管理员。
auth-session-expired = 您的会话已过期,请重新登录。
auth-second-factor-pending = 请先完成两步验证。

## 首页
home-title = 首页
home-welcome = 您好,{ $name }
home-you = 我的信息
home-may = 我可以做什么
home-may-nothing = 您当前的角色没有可用的操作。
home-links = 快速入口

## 成员单位
units-title = 联席会议成员单位
units-lead = 共 { $count } 个成员单位及其职责。
units-lead-unit = 牵头单位
units-duties = 职责
units-liaison = 联络员
units-no-liaison = 尚未指定联络员。
units-members = 本单位用户
units-no-members = 暂无用户。

## 用户管理
users-title = 用户管理
users-count = 共 { $count } 个账户
users-new = 新建用户
users-create = 创建用户
users-save = 保存
users-edit = 修改
users-edit-title = 修改 { $username } 的单位和角色
users-actions = 操作
users-enable = 启用
users-disable = 停用
users-reset-password = 重置密码
users-reset-2fa = 重置两步验证
users-confirm-disable = 确定停用账户 { $username }?其所有会话将立即结束。
users-confirm-reset-password = 确定为 { $username } 重置密码?原密码将失效。
users-confirm-reset-2fa = 确定重置 { $username } 的两步验证?其下次登录时须重新设置。
users-status-disabled = 已停用
users-status-locked = 已锁定
users-status-2fa = 已启用两步验证
users-status-no-2fa = 未设置两步验证
users-status-initial-password = 使用初始密码
users-username-hint = 3 至 32 个小写字母、数字、点、下划线或连字符,例如 zhang.san。
users-phone-hint = 可选,11 位手机号码。
users-choose-unit = 请选择单位
users-username-taken = 该用户名已被使用。
users-secret-title = 初始密码
users-secret-lead = 账户 { $username } 的一次性初始密码:
users-secret-once = 此密码只显示这一次。请通过安全渠道交给本人;本人首次登录后必须修改密码。
users-back = 返回用户列表
users-done-assigned = 单位和角色已更新。
users-done-disabled = 账户已停用。
users-done-enabled = 账户已启用。
users-done-reset-2fa = 两步验证已重置。
users-done-liaison = 已设为本单位联络员。
users-status-liaison = 本单位联络员
users-make-liaison = 设为本单位联络员

## 审计日志
audit-title = 审计日志
audit-chain = 哈希链完整性
audit-chain-intact = 哈希链完整:共 { $count } 条事件,未发现篡改或缺失。
audit-chain-broken = 哈希链已断裂:第 { $seq } 号事件起校验失败({ $kind })。请立即报告。
audit-filter = 筛选
audit-user = 用户
audit-unit = 单位
audit-record-type = 记录类型
audit-record-id = 记录编号
audit-record = 记录
audit-action = 操作
audit-from = 起始时间
audit-to = 截止时间
audit-apply = 查询
audit-results = 共 { $count } 条事件
audit-time = 时间(北京时间)
audit-outcome = 结果
audit-detail = 说明
audit-none = 没有符合条件的事件。
audit-bad-time = 请输入有效的日期和时间。

## 我的账户
account-title = 我的账户
account-2fa = 两步验证
account-2fa-on = 已启用
account-2fa-off = 未启用
account-change-password = 修改密码
account-current-password = 当前密码
account-new-password = 新密码
account-confirm-password = 再次输入新密码
account-password-rules = 至少 12 个字符,不能只由一类字符组成,且不能包含用户名;可以使用含空格的短语。
account-passwords-differ = 两次输入的新密码不一致。
account-must-change-password = 您正在使用管理员设置的初始密码,请先修改密码后再使用系统。
account-reenrol = 更换身份验证器
account-reenrol-lead = 更换手机或身份验证器时,重新设置两步验证。确认新验证码之前,原验证器仍然有效。
account-reenrol-start = 重新设置两步验证
account-reenrol-confirm = 确认更换
account-done-password = 密码已修改,您的其他会话已结束。
account-done-2fa = 新的身份验证器已启用。

## 错误
error-title = 出错了
error-back-home = 返回首页
error-bad-request = 请求格式不正确。
error-login-required = 请先登录。
error-forbidden = 您无权执行此操作。此次尝试已被记录。
error-csrf = 表单已失效或来源不明,请刷新页面后重试。
error-not-found = 找不到您要访问的页面。
error-method-not-allowed = 不支持此请求方式。
error-timeout = 请求处理超时,请稍后重试。
error-conflict = 数据已被他人修改或与现有记录冲突。
error-payload-too-large = 提交的内容过大。
error-invalid = 输入内容不正确,请检查后重试。
error-json-expected = 请求正文须为 JSON(Content-Type: application/json)。
error-rate-limited = 尝试次数过多,请稍后再试。
error-internal = 系统内部错误,已记录。请稍后重试或联系系统管理员。
error-unavailable = 系统暂时无法使用,请稍后重试。

## 我可以做什么(来自访问策略的能力)
cap-own_account = 管理自己的账户(密码、两步验证)
cap-unit_directory = 查看成员单位名录及其职责
cap-users = 管理用户账户
cap-units = 管理成员单位
cap-configuration = 管理系统配置
cap-keys = 轮换加密密钥
cap-audit_log = 查阅审计日志
cap-audit_verify = 校验审计日志哈希链
cap-figures = 查看本单位统计数据
cap-city_figures = 查看全市统计数据
cap-masked_summaries = 查看脱敏汇总信息
cap-conference_tasks = 管理联席会议任务与督办
cap-unit_work = 查看本单位工作(任务、计划、活动)
cap-unit_work_edit = 编辑本单位工作
cap-submit_tip = 登记举报线索
cap-tips = 处理举报线索
cap-cases = 办理刑事案件
cap-victims = 救助被解救人员
cap-break_glass = 紧急调阅(须说明理由并被记录)
cap-dna_profiles = 查看DNA样本(仅样本编号)
cap-kinship_search = 运行亲缘比对
cap-frequency_tables = 管理等位基因频率表

## 输入校验
invalid-username-too_short = 用户名至少 3 个字符。
invalid-username-too_long = 用户名最多 32 个字符。
invalid-username-character = 用户名只能包含小写字母、数字、点、下划线或连字符。
invalid-username-start = 用户名须以字母或数字开头。
invalid-username-taken = 该用户名已被使用。
invalid-person_name-empty = 请填写姓名。
invalid-person_name-too_long = 姓名过长。
invalid-person_name-control = 姓名含有不可见的控制字符。
invalid-phone-empty = 请填写电话号码。
invalid-phone-character = 电话号码只能包含数字。
invalid-phone-country = 只接受中国大陆的电话号码。
invalid-phone-mobile_length = 手机号码应为 11 位。
invalid-phone-mobile_prefix = 手机号码的号段无效。
invalid-phone-area_code = 区号无效。
invalid-phone-subscriber_length = 电话号码位数不正确。
invalid-phone-subscriber_start = 电话号码的开头数字无效。
invalid-phone-format = 电话号码格式不正确。
invalid-password-too_short = 密码至少 12 个字符。
invalid-password-too_long = 密码最多 128 个字符。
invalid-password-one_class = 密码不能只由一类字符组成,请混合字母、数字或符号。
invalid-password-contains_username = 密码不能包含用户名。
invalid-password-control = 密码含有不可见的控制字符。
invalid-password-unchanged = 新密码不能与当前密码相同。
invalid-auth-bad_credentials = 当前密码不正确。
invalid-enrolment-none_pending = 没有待确认的身份验证器,请重新开始设置。
invalid-roles-empty = 请至少选择一个角色。
invalid-roles-unknown = 所选角色不存在。
invalid-role-unknown = 所选角色不存在。
invalid-unit-unknown = 所选单位不存在。
invalid-users-not_on_self = 不能对自己的账户执行此操作。
invalid-users-disabled = 不能将已停用的账户设为联络员。
