//! Every piece of UI text, in Russian, in one place.

pub const APP_TITLE: &str = "Статус участника СВО";

// Sign-in and account.
pub const SIGN_IN_TITLE: &str = "Вход";
pub const SIGN_IN_DEMO_HINT: &str =
    "Демонстрационный вход: выберите человека из списка (на настоящем сервисе — вход через Госуслуги).";
pub const SIGN_IN_NOBODY: &str = "Нет подходящих демонстрационных учётных записей.";
pub const SIGN_IN_DISABLED: &str = "Демонстрационный вход отключён на этом сервере.";
pub const SIGN_IN_FAILED: &str = "Не удалось войти. Попробуйте ещё раз.";
pub const SIGN_IN_WITH: &str = "Войти через";
pub const SIGN_IN_PROVIDER_HINT: &str =
    "Нужна подтверждённая учётная запись. После входа вы вернётесь на эту страницу.";
pub const NOT_CONFIRMED_MARK: &str = "учётная запись не подтверждена";
pub const SIGNED_IN_AS: &str = "Вы вошли как";
pub const SIGN_OUT: &str = "Выйти";
pub const LOADING: &str = "Загрузка…";

// Participant page.
pub const PARTICIPANT_LEAD: &str =
    "Покажите QR-код на входе. Код действует 5 минут; при необходимости получите новый.";
pub const GET_PASS: &str = "Получить";
pub const GETTING_PASS: &str = "Запрашиваем…";
pub const PASS_TITLE: &str = "QR-код участника СВО";
/// The pass heading for other statuses: «QR-код: студент».
pub const PASS_TITLE_FOR: &str = "QR-код:";
pub const PASS_QR_LABEL: &str = "QR-код для проверки статуса участника СВО";
pub const PASS_REMAINING: &str = "Действует ещё";
pub const PASS_EXPIRED: &str =
    "Срок действия QR-кода истёк. Нажмите «Получить», чтобы получить новый.";
pub const PASS_NUMBER: &str = "Номер кода";
pub const OFFLINE_BADGE: &str = "нет сети";
pub const OFFLINE_PASS_NOTE: &str =
    "Нет сети: показан сохранённый QR-код. Он действителен до истечения времени.";
pub const OFFLINE_NO_PASS: &str =
    "Нет сети. Получить новый QR-код можно, когда связь восстановится.";
pub const NOT_FOUND_TITLE: &str = "Сведения о статусе не найдены";
pub const NOT_FOUND_TEXT: &str =
    "В реестре Минобороны нет сведений о вашем статусе участника СВО. Вы можете запросить справку:";
pub const NOT_FOUND_LINK: &str = "Форма запроса справки Минобороны";
pub const PAPER_STILL_ACCEPTED: &str =
    "Бумажная справка и удостоверение ветерана боевых действий по-прежнему принимаются.";
pub const UNAVAILABLE: &str = "Сервис временно недоступен, попробуйте позже.";
pub const UNCONFIRMED: &str = "Сервис доступен только для подтверждённой учётной записи.";
pub const NOT_A_PARTICIPANT: &str =
    "Эта учётная запись не может получать QR-код участника. Для проверки кодов откройте сканер.";
pub const GENERIC_ERROR: &str = "Что-то пошло не так. Попробуйте ещё раз.";
pub const OPEN_SCANNER: &str = "Открыть сканер";
pub const OPEN_PARTICIPANT: &str = "Страница участника";

// Scanner.
pub const SCAN_TITLE: &str = "Проверка QR-кода";
pub const SCAN_HINT: &str = "Наведите камеру на QR-код участника.";
pub const SCAN_STAFF_ONLY: &str = "Сканер доступен сотрудникам организаций.";
pub const CAMERA_STARTING: &str = "Включаем камеру…";
pub const CHECKING: &str = "Проверяем…";
pub const VALID_TITLE: &str = "Статус участника СВО подтверждён";
pub const UNKNOWN_TITLE: &str = "QR-код не найден";
pub const UNKNOWN_TEXT: &str =
    "Такого кода нет в сервисе: он поддельный, набран с ошибкой или давно устарел.";
pub const EXPIRED_TITLE: &str = "Срок действия QR-кода истёк";
pub const EXPIRED_TEXT: &str = "Попросите участника получить новый код.";
pub const STALE_TITLE: &str = "Код устарел";
pub const STALE_TEXT: &str = "Код устарел: попросите обновить экран.";
/// The title of a valid Digital-ID status: «Подтверждено: студент».
pub const CONFIRMED_STATUS: &str = "Подтверждено:";
pub const DYNAMIC_REFRESH: &str = "Код меняется каждые 30 с, следующий через";
pub const SECONDS_SHORT: &str = "с";
pub const STATS_BY_KIND: &str = "За 30 дней по статусам";
pub const CHOOSE_STATUS: &str = "Какой статус показать?";
pub const STATUS_NOT_HELD_TITLE: &str = "Статус не подтверждён";
pub const STATUS_NOT_HELD_TEXT: &str = "Источник данных не подтвердил этот статус.";
pub const STATUS_WHERE_TO_CONFIRM: &str = "Где подтвердить статус";
pub const FOREIGN_TITLE: &str = "Это не QR-код сервиса";
pub const FOREIGN_TEXT: &str = "Код не относится к проверке статуса участника СВО.";
pub const HOLDER: &str = "Владелец";
pub const BIRTH_YEAR: &str = "Год рождения";
pub const RECORDED: &str = "Проверка учтена в отчёте организации.";
pub const COMPARE_WITH_ID: &str = "При сомнении сверьте с документом, удостоверяющим личность.";
pub const RESUME: &str = "Сканировать дальше";
pub const TORCH_ON: &str = "Включить фонарик";
pub const TORCH_OFF: &str = "Выключить фонарик";
pub const CAMERA_SWITCH: &str = "Другая камера";
pub const CHECKS_TODAY: &str = "Проверено сегодня на этом устройстве:";
pub const CAMERA_DEFAULT_NAME: &str = "Камера";
pub const PHOTO: &str = "Распознать с фото";
pub const PHOTO_DECODING: &str = "Распознаём фото…";
pub const PHOTO_NO_CODE: &str = "На фото не найден QR-код. Сделайте снимок ближе и резче.";
pub const PHOTO_UNREADABLE: &str = "Не удалось открыть изображение.";
pub const MANUAL_LABEL: &str = "Номер кода вручную";
pub const MANUAL_PLACEHOLDER: &str = "например 3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b";
pub const MANUAL_SUBMIT: &str = "Проверить";
pub const ON_BEHALF_PRIVATE: &str = "От своего имени (не попадает в отчёт)";
pub const ON_BEHALF_OF: &str = "От чьего имени проверять";
pub const MODE_PRIVATE: &str = "Сейчас: проверка от своего имени — в отчёт не попадает.";
pub const MODE_ORG: &str = "Сейчас: проверка от имени организации";
pub const MODE_ORG_TAIL: &str = "— успешные проверки попадают в её отчёт.";
pub const ON_BEHALF_TAP_HINT: &str =
    "Нажмите на организацию до сканирования, чтобы проверять от её имени.";
pub const NOT_RECORDED: &str =
    "Проверка не записана в отчёт организации. Повторите проверку или сообщите администратору.";
pub const PRIVATE_NOT_RECORDED: &str = "Проверка от своего имени: в отчёт не попадает.";
pub const DELEGATION_LOST: &str =
    "Доверенность больше не действует. Сканер переключён на проверку от своего имени.";

// Scanner problems: always said, never silence.
pub const CAMERA_INSECURE: &str =
    "Камера доступна только на защищённой странице (https). Откройте сервис по адресу https://…";
pub const CAMERA_DENIED: &str =
    "Нет доступа к камере. Разрешите доступ к камере в настройках браузера и обновите страницу.";
pub const CAMERA_MISSING: &str = "Камера не найдена на этом устройстве.";
pub const CAMERA_BUSY: &str =
    "Камера занята другим приложением или недоступна. Закройте другие приложения и обновите страницу.";
pub const CAMERA_FAILED: &str = "Не удалось включить камеру.";
pub const CAMERA_ALTERNATIVES: &str =
    "Можно распознать код с фотографии или ввести номер кода вручную.";
pub const RETRY_CAMERA: &str = "Повторить";
pub const DECODER_FAILED: &str =
    "Не удалось запустить распознавание. Обновите страницу; можно ввести номер вручную.";
pub const SCAN_NETWORK: &str = "Нет связи с сервером. Проверьте интернет и попробуйте ещё раз.";
pub const SCAN_SIGNED_OUT: &str = "Сеанс истёк. Войдите снова.";

// Scanner without network (issue 12).
pub const OFFLINE_VERIFIED: &str = "проверено без сети";
pub const OFFLINE_VALID_NOTE: &str =
    "Без сети не проверить, не отозван ли код после последней синхронизации.";
pub const OFFLINE_ROTATION: &str = "Смена кода не проверена без сети.";
pub const OFFLINE_SEEN_BEFORE: &str = "Внимание: этот код уже проверен на этом устройстве.";
pub const OFFLINE_NOT_RECORDED: &str = "Без сети проверка не записана в отчёт организации.";
pub const OFFLINE_QUEUED: &str =
    "Сохранено на устройстве: попадёт в отчёт организации, когда появится сеть.";
pub const PENDING_NONE: &str = "Все проверки отправлены";
pub const PENDING_SOME: &str = "Ждут отправки в отчёт:";
pub const PENDING_SEND: &str = "Отправить";
pub const SCAN_OFFLINE_START: &str = "Нет сети: проверка по подписи кода, без обращения к серверу.";
pub const FORGED_TITLE: &str = "QR-код подделан или повреждён";
pub const FORGED_TEXT: &str =
    "Подпись кода не сходится. Попросите показать код заново; повторится — не принимайте его.";
pub const NEEDS_NETWORK_TITLE: &str = "Нужна сеть, чтобы проверить этот код";
pub const NO_TOKEN_TEXT: &str =
    "В коде нет подписи для проверки без сети (код старого вида). Проверьте его, когда появится сеть.";
pub const UNKNOWN_KEY_TITLE: &str = "Этот код нельзя проверить без сети";
pub const UNKNOWN_KEY_TEXT: &str =
    "Ключа, которым подписан код, ещё нет на этом устройстве. Подключитесь к сети и проверьте снова.";
pub const KEYS_STALE: &str = "Ключи проверки устарели: подключитесь к сети.";

// Organization page.
pub const ORG_TITLE: &str = "Организация";
pub const ORG_ADMIN_ONLY: &str = "Страница доступна только администраторам организаций.";
pub const ORG_NONE: &str = "Вы не администрируете ни одной организации.";
pub const ORG_CHOICE: &str = "Организация";
pub const OGRN: &str = "ОГРН";
pub const SAVE: &str = "Сохранить";
pub const SAVING: &str = "Сохраняем…";
pub const SAVED: &str = "Сохранено.";
pub const CANCEL: &str = "Отмена";
pub const REFRESH: &str = "Обновить";

pub const STATS_TITLE: &str = "Успешные проверки";
pub const STATS_TODAY: &str = "Сегодня";
pub const STATS_MONTH: &str = "В этом месяце";
pub const STATS_30_DAYS: &str = "За 30 дней";

pub const EMAIL_TITLE: &str = "Адрес для отчётов";
pub const EMAIL_LABEL: &str = "Электронная почта организации";
pub const EMAIL_HINT: &str = "Раз в 30 дней сюда приходит подписанный отчёт о проверках.";
pub const EMAIL_MISSING: &str =
    "Адрес не указан: отчёты не отправляются. Укажите адрес электронной почты.";

pub const STAFF_TITLE: &str = "Сотрудники";
pub const STAFF_EMPTY: &str = "Сотрудников пока нет.";
pub const ROLE_STAFF: &str = "сотрудник";
pub const ROLE_ADMIN: &str = "администратор";
pub const ROLE_PARTICIPANT: &str = "участник";
pub const ROLE_LABEL: &str = "Роль";
pub const STAFF_REMOVE: &str = "Удалить";
pub const STAFF_REMOVE_CONFIRM: &str = "Удалить сотрудника? Его доверенности будут отозваны.";
pub const STAFF_REMOVE_YES: &str = "Да, удалить";
pub const STAFF_ADD_TITLE: &str = "Добавить сотрудника";
pub const STAFF_DEMO_PICK: &str = "Демонстрационный пользователь";
pub const STAFF_DEMO_NONE: &str = "— выбрать —";
pub const STAFF_SNILS: &str = "СНИЛС сотрудника";
pub const STAFF_SNILS_HINT: &str =
    "Сотрудник получит доступ, когда впервые войдёт со своей подтверждённой учётной записью.";
pub const STAFF_SNILS_SHORT: &str = "СНИЛС";
pub const STAFF_PENDING: &str = "ещё не входил";
pub const STAFF_NAME: &str = "Имя";
pub const STAFF_ADD: &str = "Добавить";

pub const DELEGATIONS_TITLE: &str = "Доверенности (МЧД)";
pub const DELEGATIONS_EMPTY: &str = "Доверенностей пока нет.";
pub const DELEGATION_POWER: &str = "Полномочие";
pub const DELEGATION_PERIOD: &str = "Срок";
pub const DELEGATION_REVOKED_AT: &str = "Отозвана";
pub const DELEGATION_REVOKE: &str = "Отозвать";
pub const DELEGATION_NEW_TITLE: &str = "Выдать доверенность";
pub const DELEGATION_WHO: &str = "Сотрудник";
pub const DELEGATION_FORMER_MEMBER: &str = "Бывший сотрудник";
pub const DELEGATION_FROM: &str = "Действует с";
pub const DELEGATION_UNTIL: &str = "Действует по (включительно)";
pub const DELEGATION_ISSUE: &str = "Выдать";
pub const DELEGATION_NO_STAFF: &str = "Сначала добавьте сотрудника.";
pub const DELEGATION_BAD_DATES: &str = "Укажите даты начала и окончания срока.";
pub const DELEGATION_SCAN_POWER: &str = "сканирование QR-кодов от имени организации";
pub const STATE_ACTIVE: &str = "действует";
pub const STATE_EXPIRED: &str = "истекла";
pub const STATE_REVOKED: &str = "отозвана";
pub const STATE_NOT_YET_VALID: &str = "ещё не началась";

pub const REPORTS_TITLE: &str = "Отчёты";
pub const REPORTS_EMPTY: &str = "Отчётов пока нет: первый будет сформирован через 30 дней работы.";
pub const REPORT_PERIOD: &str = "Период";
pub const REPORT_ROWS: &str = "Проверок";
pub const REPORT_SENT: &str = "отправлен";
pub const REPORT_SENT_TO: &str = "Отправлен на";
pub const REPORT_PENDING: &str = "ожидает отправки";
pub const REPORT_NO_EMAIL: &str = "не отправлен: нет адреса";
pub const REPORT_NO_EMAIL_CALL: &str =
    "Отчёт не отправлен, потому что у организации не указан адрес электронной почты. Укажите адрес — отчёт будет отправлен автоматически.";
pub const REPORT_SET_EMAIL: &str = "Указать адрес";
pub const REPORT_PROBLEM: &str = "Проблема при отправке";
pub const REPORT_DOWNLOAD: &str = "Скачать архив (zip)";
