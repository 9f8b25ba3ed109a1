"""The app's words in English and Korean. A page asks `t(key)`; the language is the session's choice
(Settings page), defaulting to the `language` setting.

Every key has both languages (a test checks), so switching never shows a key or half a page.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal

Language = Literal["en", "ko"]
LANGUAGE_NAMES: MappingProxyType[str, str] = MappingProxyType({"ko": "한국어", "en": "English"})

_STRINGS: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        # navigation and frame
        "app.title": ("MWO", "MWO"),
        "nav.create": ("Create", "만들기"),
        "nav.workflows": ("Workflows", "워크플로"),
        "nav.workflow": ("Workflow detail", "워크플로 상세"),
        "nav.runs": ("Runs", "실행"),
        "nav.inbox": ("Inbox", "받은 편지함"),
        "nav.statistics": ("Statistics", "통계"),
        "nav.knowledge": ("Knowledge base", "지식 베이스"),
        "nav.settings": ("Settings", "설정"),
        "serve.down": (
            "The background server (`mwo serve`) is not running: schedules and webhooks do not fire "
            "until it runs. Runs you start here still execute.",
            "백그라운드 서버(`mwo serve`)가 실행 중이 아닙니다: 서버가 실행될 때까지 예약 실행과 웹훅이 "
            "동작하지 않습니다. 여기서 시작한 실행은 그대로 동작합니다.",
        ),
        "serve.up": ("Background server running at {url}", "백그라운드 서버 실행 중: {url}"),
        "serve.degraded": (
            "The background server at {url} reports '{status}': schedules may be late.",
            "{url}의 백그라운드 서버 상태가 '{status}'입니다: 예약 실행이 늦어질 수 있습니다.",
        ),
        "error.unexpected": (
            "Something went wrong: {kind}.",
            "문제가 생겼습니다: {kind}.",
        ),
        "error.unexpected_fix": (
            "Try again; if it keeps happening, run `mwo doctor` and look at the terminal running `mwo ui`.",
            "다시 시도해 보세요. 계속되면 `mwo doctor`를 실행하고 `mwo ui`를 실행한 터미널을 확인하세요.",
        ),
        "error.fix": ("How to fix: {fix}", "해결 방법: {fix}"),
        "error.where": ("Where in the script it failed", "스크립트에서 실패한 위치"),
        "common.none": ("none", "없음"),
        "common.yes": ("yes", "예"),
        "common.no": ("no", "아니요"),
        "common.never": ("never", "없음"),
        "common.all": ("(all)", "(전체)"),
        "common.save": ("Save", "저장"),
        "common.delete": ("Delete", "삭제"),
        "common.refresh": ("Refresh", "새로 고침"),
        "common.show": ("Show", "보기"),
        "common.done": ("Done", "완료"),
        "common.open": ("Open", "열기"),
        "common.confirm_delete": ("Yes, delete {name}", "예, {name} 삭제"),
        "common.large_value": ("{what} ({size} characters)", "{what} ({size}자)"),
        "common.masked_show": ("Reveal", "표시"),
        # statuses
        "status.queued": ("queued", "대기 중"),
        "status.running": ("running", "실행 중"),
        "status.waiting_approval": ("waiting for approval", "승인 대기"),
        "status.succeeded": ("succeeded", "성공"),
        "status.failed": ("failed", "실패"),
        "status.cancelled": ("cancelled", "취소됨"),
        "status.waiting_repair": ("waiting for a repair decision", "수리 결정 대기"),
        # repairs
        "repair.of": ("{workflow} · step {step} · run {run}", "{workflow} · 단계 {step} · 실행 {run}"),
        "repair.status.pending": ("waiting for a decision", "결정 대기"),
        "repair.status.approved": ("approved", "승인됨"),
        "repair.status.rejected": ("rejected", "거절됨"),
        "repair.status.auto_applied": ("applied automatically", "자동 적용됨"),
        "repair.status.not_fixed": ("no fix found", "수리 방법을 찾지 못함"),
        "repair.input": ("failing input", "실패한 입력"),
        "repair.diff": ("Proposed change", "제안된 변경"),
        "repair.attempts": ("{attempts} attempt(s), {seconds:.1f} s", "시도 {attempts}번, {seconds:.1f}초"),
        "repair.decided": ("decided by {by} at {when}", "{by}이(가) {when}에 결정"),
        "repair.approve": ("Approve the fix", "수리 승인"),
        "repair.reject": ("Reject the fix", "수리 거절"),
        "repair.approved": (
            "Fix approved: saved as a new version, run {run} continues.",
            "수리를 승인했습니다: 새 버전으로 저장되고 실행 {run}이(가) 계속됩니다.",
        ),
        "repair.rejected": (
            "Fix rejected: run {run} fails.",
            "수리를 거절했습니다: 실행 {run}은(는) 실패로 끝납니다.",
        ),
        # create
        "create.title": ("Create a workflow", "워크플로 만들기"),
        "create.unavailable": (
            "Creating a workflow from a description needs the authoring service, which this build does "
            "not have yet. Until it lands you can paste a workflow spec (YAML) below, or run "
            "`mwo apply FILE` in a terminal.",
            "설명으로 워크플로를 만들려면 작성(authoring) 서비스가 필요한데, 이 빌드에는 아직 없습니다. "
            "그때까지는 아래에 워크플로 명세(YAML)를 붙여 넣거나 터미널에서 `mwo apply FILE`을 실행하세요.",
        ),
        "create.chat_tab": ("Describe it", "말로 설명하기"),
        "create.yaml_tab": ("Paste a spec (YAML)", "명세 붙여 넣기 (YAML)"),
        "create.prompt": (
            "Describe the job, e.g. 'every morning at 9, mail me 3 economy headlines'",
            "할 일을 설명하세요. 예: '매일 아침 9시에 경제 뉴스 3개를 메일로 보내줘'",
        ),
        "create.thinking": ("Working on it…", "작업 중…"),
        "create.answer_prompt": ("Your answer", "답변"),
        "create.result": ("Workflow {name}", "워크플로 {name}"),
        "create.trigger": ("When it runs", "실행 시점"),
        "create.next_fires": ("Next fire times", "다음 실행 시각"),
        "create.steps": ("Steps", "단계"),
        "create.assumptions": ("Assumptions", "가정한 내용"),
        "create.missing_secrets": ("Secrets still to set", "아직 설정하지 않은 비밀 값"),
        "create.save": ("Save workflow", "워크플로 저장"),
        "create.test_run": ("Test-run now", "지금 시험 실행"),
        "create.edit": ("Change in words", "말로 수정하기"),
        "create.edit_prompt": ("What should change?", "무엇을 바꿀까요?"),
        "create.edit_apply": ("Propose the change", "변경안 만들기"),
        "create.edit_confirm": ("Save this change", "이 변경 저장"),
        "create.saved": (
            "Saved {name} as version {version}.",
            "{name}을(를) 버전 {version}(으)로 저장했습니다.",
        ),
        "create.failed": ("No workflow could be made: {why}", "워크플로를 만들 수 없습니다: {why}"),
        "create.new": ("Start over", "새로 시작"),
        "create.yaml_label": ("Workflow spec (YAML)", "워크플로 명세 (YAML)"),
        "create.yaml_apply": ("Validate and save", "검사 후 저장"),
        "create.yaml_empty": ("Paste a spec first.", "먼저 명세를 붙여 넣으세요."),
        "create.explanation": ("What it does", "하는 일"),
        "create.diff": ("Proposed change", "변경안"),
        "create.run_started": ("Run {run} started.", "실행 {run}을(를) 시작했습니다."),
        # workflows
        "workflows.title": ("Workflows", "워크플로"),
        "workflows.empty": (
            "No workflows yet: create one on the Create page (or `mwo apply FILE`).",
            "아직 워크플로가 없습니다: 만들기 페이지에서 만드세요 (또는 `mwo apply FILE`).",
        ),
        "workflows.search": ("Search name or description", "이름이나 설명 검색"),
        "workflows.folder": ("Folder", "폴더"),
        "workflows.tag": ("Tag", "태그"),
        "workflows.folders": ("Folders", "폴더"),
        "workflows.no_folder": ("(no folder)", "(폴더 없음)"),
        "workflows.col.name": ("name", "이름"),
        "workflows.col.enabled": ("enabled", "사용"),
        "workflows.col.secrets": ("needs secrets", "필요한 비밀 값"),
        "workflows.col.next": ("next run", "다음 실행"),
        "workflows.col.last": ("last result", "마지막 결과"),
        "workflows.col.version": ("version", "버전"),
        "workflows.col.folder": ("folder", "폴더"),
        "workflows.col.tags": ("tags", "태그"),
        "workflows.col.trigger": ("trigger", "트리거"),
        "workflows.manage": ("Manage a workflow", "워크플로 관리"),
        "workflows.pick": ("Workflow", "워크플로"),
        "workflows.enable": ("Enable", "사용"),
        "workflows.disable": ("Disable", "사용 중지"),
        "workflows.enabled_now": ("{name} is enabled.", "{name}을(를) 사용합니다."),
        "workflows.disabled_now": ("{name} is disabled.", "{name}을(를) 사용 중지했습니다."),
        "workflows.move_to": ("Move to folder (empty: none)", "옮길 폴더 (비우면 폴더 없음)"),
        "workflows.move": ("Move", "옮기기"),
        "workflows.moved": ("{name} moved.", "{name}을(를) 옮겼습니다."),
        "workflows.tags_edit": ("Tags (comma separated)", "태그 (쉼표로 구분)"),
        "workflows.tag_save": ("Save tags", "태그 저장"),
        "workflows.tagged": ("Tags of {name} saved.", "{name}의 태그를 저장했습니다."),
        "workflows.delete_warn": (
            "Deleting removes the workflow, every version and every run. This cannot be undone.",
            "삭제하면 워크플로와 모든 버전, 모든 실행 기록이 지워집니다. 되돌릴 수 없습니다.",
        ),
        "workflows.deleted": ("{name} deleted.", "{name}을(를) 삭제했습니다."),
        "workflows.details": ("Open details", "상세 보기"),
        # workflow detail
        "detail.title": ("Workflow", "워크플로"),
        "detail.none": ("No workflow selected.", "선택한 워크플로가 없습니다."),
        "detail.graph": ("Graph", "그래프"),
        "detail.spec": ("Spec", "명세"),
        "detail.versions": ("Versions", "버전"),
        "detail.trigger": ("Trigger", "트리거"),
        "detail.run": ("Run", "실행"),
        "detail.view_code": ("View code of {step}", "{step} 코드 보기"),
        "detail.yaml": ("Spec (read-only)", "명세 (읽기 전용)"),
        "detail.compare": ("Compare", "비교"),
        "detail.from": ("From version", "이전 버전"),
        "detail.to": ("To version", "이후 버전"),
        "detail.same": ("The two versions are the same.", "두 버전이 같습니다."),
        "detail.changed_steps": ("Changed steps", "바뀐 단계"),
        "detail.rollback": ("Roll back to version {version}", "버전 {version}(으)로 되돌리기"),
        "detail.rolled_back": (
            "Version {old} restored as version {new}.",
            "버전 {old}을(를) 버전 {new}(으)로 복원했습니다.",
        ),
        "detail.rollback_same": (
            "The latest version already has that content.",
            "최신 버전이 이미 같은 내용입니다.",
        ),
        "detail.webhook": ("Webhook", "웹훅"),
        "detail.webhook_url": ("URL to POST to", "POST할 URL"),
        "detail.webhook_secret": ("Signing secret", "서명용 비밀 값"),
        "detail.rotate": ("Rotate secret", "비밀 값 교체"),
        "detail.rotated": (
            "New secret made; the previous ones stay valid for 24 hours.",
            "새 비밀 값을 만들었습니다. 이전 값은 24시간 동안 유효합니다.",
        ),
        "detail.schedule": ("Schedule", "예약"),
        "detail.next_fires": ("Next 5 fire times", "다음 5번의 실행 시각"),
        "detail.manual": (
            "This workflow runs when started by hand (or by the API).",
            "이 워크플로는 직접(또는 API로) 시작할 때 실행됩니다.",
        ),
        "detail.event": ("Runs on the event '{event}'.", "'{event}' 이벤트가 오면 실행됩니다."),
        "detail.file": ("Runs when a file arrives in {path}.", "{path}에 파일이 들어오면 실행됩니다."),
        "detail.inputs": ("Inputs", "입력값"),
        "detail.run_now": ("Run now", "지금 실행"),
        "detail.missing_secrets": (
            "Set these secrets before it can run: {names}",
            "실행하려면 먼저 이 비밀 값을 설정하세요: {names}",
        ),
        "detail.version_msg": ("message", "메시지"),
        "detail.created": ("created", "만든 시각"),
        # runs
        "runs.title": ("Runs", "실행"),
        "runs.live": ("Live: running and waiting", "실시간: 실행 중·대기 중"),
        "runs.recent": ("Recent runs", "최근 실행"),
        "runs.nothing_live": ("Nothing is running right now.", "지금 실행 중인 것이 없습니다."),
        "runs.empty": ("No runs yet.", "아직 실행 기록이 없습니다."),
        "runs.pick": ("Run", "실행"),
        "runs.col.run": ("run", "실행"),
        "runs.col.workflow": ("workflow", "워크플로"),
        "runs.col.status": ("status", "상태"),
        "runs.col.trigger": ("trigger", "트리거"),
        "runs.col.created": ("created", "시작 요청"),
        "runs.col.duration": ("duration", "소요 시간"),
        "runs.steps": ("Steps", "단계"),
        "runs.logs": ("Logs", "로그"),
        "runs.no_logs": ("No log lines.", "로그가 없습니다."),
        "runs.input": ("input", "입력"),
        "runs.output": ("output", "출력"),
        "runs.error": ("error", "오류"),
        "runs.attempt": (
            "{step} · attempt {attempt} · {status} · {ms}",
            "{step} · {attempt}번째 시도 · {status} · {ms}",
        ),
        "runs.retry": ("Retry (new run)", "다시 실행 (새 실행)"),
        "runs.retry_failed": ("Retry from the failed step", "실패한 단계부터 다시"),
        "runs.cancel": ("Cancel", "취소"),
        "runs.started": ("Run {run} started.", "실행 {run}을(를) 시작했습니다."),
        "runs.cancelled": ("Cancel requested for run {run}.", "실행 {run} 취소를 요청했습니다."),
        "runs.waiting": (
            "This run waits for an approval: decide it in the Inbox.",
            "이 실행은 승인을 기다리고 있습니다: 받은 편지함에서 결정하세요.",
        ),
        "runs.repair": ("Repair proposal", "수리 제안"),
        "runs.auto_refresh": ("Refreshes every few seconds.", "몇 초마다 새로 고칩니다."),
        "runs.summary": (
            "{workflow} v{version} · {status} · trigger {trigger}",
            "{workflow} v{version} · {status} · 트리거 {trigger}",
        ),
        # inbox
        "inbox.title": ("Inbox", "받은 편지함"),
        "inbox.approvals": ("Approvals waiting", "승인 대기"),
        "inbox.no_approvals": ("No approvals are waiting.", "기다리는 승인이 없습니다."),
        "inbox.approval_of": (
            "{workflow} · step {step} · run {run}",
            "{workflow} · 단계 {step} · 실행 {run}",
        ),
        "inbox.requested": ("Requested {when}", "요청 시각 {when}"),
        "inbox.expires": ("expires {when}", "만료 {when}"),
        "inbox.context": ("Context: inputs and earlier steps", "맥락: 입력값과 앞 단계 결과"),
        "inbox.comment": ("Comment", "의견"),
        "inbox.by": ("Decided by", "결정한 사람"),
        "inbox.approve": ("Approve", "승인"),
        "inbox.reject": ("Reject", "거절"),
        "inbox.approved": ("Approved: run {run} continues.", "승인했습니다: 실행 {run}이(가) 계속됩니다."),
        "inbox.rejected": ("Rejected: run {run} stops.", "거절했습니다: 실행 {run}이(가) 멈춥니다."),
        "inbox.repairs": ("Repair proposals", "수리 제안"),
        "inbox.repairs_unavailable": (
            "Run-time repair proposals need the self-healing service, which this build does not have "
            "yet. Failed runs show their error and its fix on the Runs page.",
            "실행 중 수리 제안에는 자가 치유 서비스가 필요한데, 이 빌드에는 아직 없습니다. 실패한 실행의 "
            "오류와 해결 방법은 실행 페이지에서 볼 수 있습니다.",
        ),
        "inbox.no_repairs": ("No repair proposals are waiting.", "기다리는 수리 제안이 없습니다."),
        "inbox.messages": ("Messages", "메시지"),
        "inbox.no_messages": (
            "No messages. NOTIFICATION steps with `channel: inbox` deliver here.",
            "메시지가 없습니다. `channel: inbox`인 NOTIFICATION 단계가 여기로 보냅니다.",
        ),
        "inbox.unread_only": ("Unread only", "읽지 않은 것만"),
        "inbox.mark_read": ("Mark read", "읽음으로 표시"),
        "inbox.new": ("new", "새 메시지"),
        # statistics
        "stats.title": ("Statistics", "통계"),
        "stats.range": ("Time range", "기간"),
        "stats.range.1d": ("last 24 hours", "최근 24시간"),
        "stats.range.7d": ("last 7 days", "최근 7일"),
        "stats.range.30d": ("last 30 days", "최근 30일"),
        "stats.range.all": ("all time", "전체 기간"),
        "stats.workflow": ("Workflow", "워크플로"),
        "stats.runs": ("Runs", "실행 수"),
        "stats.success": ("Success rate", "성공률"),
        "stats.mean": ("Mean duration", "평균 소요 시간"),
        "stats.p95": ("95th percentile", "95번째 백분위"),
        "stats.empty": ("No runs in this range.", "이 기간에는 실행이 없습니다."),
        "stats.over_time": ("Success rate over time", "시간에 따른 성공률"),
        "stats.durations": ("Duration distribution (seconds)", "소요 시간 분포 (초)"),
        "stats.causes": ("Why runs failed (step · error type)", "실패 원인 (단계 · 오류 종류)"),
        "stats.no_failures": ("No failures in this range.", "이 기간에는 실패가 없습니다."),
        "stats.per_workflow": ("Per workflow", "워크플로별"),
        "stats.day": ("day", "날짜"),
        "stats.rate": ("success rate", "성공률"),
        "stats.seconds": ("seconds", "초"),
        "stats.count": ("runs", "실행 수"),
        "stats.cause": ("cause", "원인"),
        "stats.failed_attempts": ("failed attempts", "실패한 시도"),
        # knowledge
        "kb.title": ("Knowledge base", "지식 베이스"),
        "kb.loading": ("Opening the knowledge base…", "지식 베이스를 여는 중…"),
        "kb.domains": ("Domains", "도메인"),
        "kb.col.domain": ("domain", "도메인"),
        "kb.col.title": ("title", "제목"),
        "kb.col.origin": ("origin", "출처"),
        "kb.col.documents": ("documents", "문서 수"),
        "kb.col.chunks": ("chunks", "조각 수"),
        "kb.init": ("Load the shipped packs", "기본 지식 팩 불러오기"),
        "kb.not_ready": (
            "The shipped packs are not loaded yet; they load on the first search (or press the button).",
            "기본 지식 팩이 아직 없습니다. 첫 검색 때 불러옵니다 (또는 버튼을 누르세요).",
        ),
        "kb.upload": ("Add documents", "문서 추가"),
        "kb.upload_help": (
            "PDF, Word, Excel/CSV, images (read by OCR) and text files.",
            "PDF, Word, Excel/CSV, 이미지(OCR로 읽음), 텍스트 파일.",
        ),
        "kb.upload_domain": ("Domain (empty: detected)", "도메인 (비우면 자동 감지)"),
        "kb.upload_go": ("Add to the knowledge base", "지식 베이스에 추가"),
        "kb.added": (
            "{file}: added to {domain}, {chunks} chunks",
            "{file}: {domain}에 추가, 조각 {chunks}개",
        ),
        "kb.duplicate": ("{file}: already in the knowledge base", "{file}: 이미 지식 베이스에 있습니다"),
        "kb.search": ("Search tester", "검색 시험"),
        "kb.query": ("Question or request", "질문 또는 요청"),
        "kb.mode": ("Mode", "방식"),
        "kb.k": ("How many", "개수"),
        "kb.search_go": ("Search", "검색"),
        "kb.detected": (
            "Detected domains: {domains} · searched: {searched}",
            "감지한 도메인: {domains} · 검색한 도메인: {searched}",
        ),
        "kb.no_hits": ("No passages found.", "찾은 구절이 없습니다."),
        "kb.col.rank": ("rank", "순위"),
        "kb.col.found_by": ("found by", "찾은 방식"),
        "kb.col.score": ("fused score", "합산 점수"),
        "kb.col.vector_rank": ("vector rank", "벡터 순위"),
        "kb.col.keyword_rank": ("keyword rank", "키워드 순위"),
        "kb.col.source": ("source", "출처"),
        "kb.stats": (
            "{documents} documents, {chunks} chunks, model {model}",
            "문서 {documents}개, 조각 {chunks}개, 모델 {model}",
        ),
        "kb.progress": ("{stage}: {done}/{total}", "{stage}: {done}/{total}"),
        # settings
        "settings.title": ("Settings", "설정"),
        "settings.language": ("Language", "언어"),
        "settings.timezone": ("Time zone (for times shown here)", "시간대 (여기 표시되는 시각)"),
        "settings.session_note": (
            "Language and time zone change this browser session at once; Save as default keeps them for "
            "every session and for new workflows written in words.",
            "언어와 시간대는 이 브라우저 세션에 바로 적용됩니다. 기본값으로 저장하면 모든 세션과 "
            "새로 말로 만드는 워크플로에 유지됩니다.",
        ),
        "settings.env_set": (
            "{env} is set in the environment ({value}) and is used instead of a value saved here.",
            "환경 변수 {env}({value})가 설정되어 있어 여기서 저장하는 값 대신 쓰입니다.",
        ),
        "settings.prefs_save": ("Save as default", "기본값으로 저장"),
        "settings.saved": ("Saved in {path}.", "{path}에 저장했습니다."),
        "settings.restart_servers": (
            "This app uses the new settings from now on. If `mwo serve` or `mwo worker` runs, restart it "
            "so schedules, webhooks and workers use them too.",
            "이 앱은 지금부터 새 설정을 씁니다. `mwo serve`나 `mwo worker`가 실행 중이면 다시 시작해야 "
            "예약 실행, 웹훅, 워커도 새 설정을 씁니다.",
        ),
        "settings.overridden": (
            "{env} is set in the environment ({value}) and wins over the saved value; unset it for the "
            "value saved here to apply.",
            "환경 변수 {env}({value})가 설정되어 있어 저장한 값보다 우선합니다. 여기서 저장한 값을 "
            "쓰려면 그 환경 변수를 지우세요.",
        ),
        "settings.llm": ("Language model", "언어 모델"),
        "settings.llm_test": ("Test connection", "연결 시험"),
        "settings.llm_ok": (
            "The model answered in {seconds:.1f} s: {answer}",
            "모델이 {seconds:.1f}초 만에 답했습니다: {answer}",
        ),
        "settings.llm_how": (
            "Test connection asks the model entered above one short question, before you save it.",
            "연결 시험은 저장하기 전에 위에 입력한 모델에 짧은 질문을 하나 보냅니다.",
        ),
        "settings.llm_in_use": ("In use now", "현재 사용 중"),
        "settings.llm_provider": ("Which model answers", "답하는 모델"),
        "settings.llm_provider.local": (
            "Embedded model (offline, no key)",
            "내장 모델 (오프라인, 키 불필요)",
        ),
        "settings.llm_provider.openai": ("OpenAI-compatible endpoint", "OpenAI 호환 엔드포인트"),
        "settings.llm_base_url": ("Endpoint URL", "엔드포인트 URL"),
        "settings.llm_model": ("Model name", "모델 이름"),
        "settings.llm_api_key": (
            "API key (empty: keep the stored one)",
            "API 키 (비워 두면 저장된 키 유지)",
        ),
        "settings.llm_key_set": (
            "The key is stored encrypted as the secret {secret}.",
            "키는 비밀 값 {secret}으로 암호화되어 저장되어 있습니다.",
        ),
        "settings.llm_key_missing": (
            "No key stored yet (secret {secret}); an endpoint without keys needs none.",
            "저장된 키가 없습니다 (비밀 값 {secret}). 키가 필요 없는 엔드포인트라면 괜찮습니다.",
        ),
        "settings.llm_key_env": (
            "MWO_LLM_API_KEY is set in the environment and is used instead of the stored key.",
            "환경 변수 MWO_LLM_API_KEY가 설정되어 있어 저장된 키 대신 쓰입니다.",
        ),
        "settings.llm_save": ("Save model settings", "모델 설정 저장"),
        "settings.secrets": ("Secrets", "비밀 값"),
        "settings.no_secrets": ("No secrets yet.", "아직 비밀 값이 없습니다."),
        "settings.secret_name": ("Name (UPPER_CASE)", "이름 (대문자)"),
        "settings.secret_value": ("Value", "값"),
        "settings.secret_set": ("Save secret", "비밀 값 저장"),
        "settings.secret_saved": (
            "Secret {name} saved (encrypted).",
            "비밀 값 {name}을(를) 저장했습니다 (암호화).",
        ),
        "settings.secret_deleted": ("Secret {name} deleted.", "비밀 값 {name}을(를) 삭제했습니다."),
        "settings.notifications": ("Notification channels", "알림 채널"),
        "settings.channel.inbox": ("In-app inbox", "앱 안 받은 편지함"),
        "settings.channel.email": ("Email (SMTP)", "이메일 (SMTP)"),
        "settings.channel.slack": ("Slack", "Slack"),
        "settings.channel.discord": ("Discord", "Discord"),
        "settings.channel.kakao": ("KakaoTalk (send to me)", "카카오톡 (나에게 보내기)"),
        "settings.channel.webhook": ("Webhook (any HTTP endpoint)", "웹훅 (HTTP 엔드포인트)"),
        "settings.channel_inbox_note": (
            "works offline, nothing leaves this machine",
            "오프라인 동작, 외부로 나가지 않음",
        ),
        "settings.channel_email_note": (
            "{host}:{port} from {sender}{login} (MWO_SMTP_* settings)",
            "{host}:{port}, 보내는 주소 {sender}{login} (MWO_SMTP_* 설정)",
        ),
        "settings.channel_login": (", login {user}", ", 로그인 {user}"),
        "settings.channel_secret_set": ("secret {secret} is set", "비밀 값 {secret} 설정됨"),
        "settings.channel_secret_missing": (
            "not set up: secret {secret} is not set",
            "설정 안 됨: 비밀 값 {secret}이(가) 없습니다",
        ),
        "settings.channels_how": (
            "Send test sends one real message through the same sender a workflow's NOTIFICATION step "
            "uses, with the same network rules; workflows read the secrets named here.",
            "시험 발송은 워크플로의 NOTIFICATION 단계와 같은 발송 코드와 네트워크 규칙으로 실제 메시지를 "
            "한 통 보냅니다. 워크플로는 여기 적힌 이름의 비밀 값을 읽습니다.",
        ),
        "settings.test_to": ("Send the email test to", "이메일 시험을 받을 주소"),
        "settings.test_network": ("Testing a channel on your own network", "내부 네트워크의 채널 시험"),
        "settings.test_allow": (
            "Private hosts the test may reach (comma-separated, like a workflow's settings.network.allow)",
            "시험이 접속해도 되는 내부 호스트 (쉼표로 구분, 워크플로의 settings.network.allow와 같음)",
        ),
        "settings.send_test": ("Send test", "시험 발송"),
        "settings.test_ok": (
            "Test message sent over {channel} in {seconds:.1f} s.",
            "{channel}(으)로 시험 메시지를 {seconds:.1f}초 만에 보냈습니다.",
        ),
        "settings.test_refused_hint": (
            "If this internal address is intended, add it to the private hosts above for the test, and to "
            "settings.network.allow of the workflows that send there.",
            "이 내부 주소가 맞다면, 시험에는 위의 내부 호스트에, 워크플로에는 settings.network.allow에 "
            "추가하세요.",
        ),
        "settings.test_title": ("MWO test message", "MWO 시험 메시지"),
        "settings.test_body": (
            "This is a test from MWO: notifications over {channel} work.",
            "MWO 시험 메시지입니다: {channel} 알림이 동작합니다.",
        ),
        "settings.tokens": ("API tokens", "API 토큰"),
        "settings.no_tokens": ("No API tokens yet.", "아직 API 토큰이 없습니다."),
        "settings.token_name": ("Token name", "토큰 이름"),
        "settings.token_scope": ("Scope", "권한"),
        "settings.token_days": ("Expires after days (0: never)", "만료까지 일수 (0: 만료 없음)"),
        "settings.token_create": ("Create token", "토큰 만들기"),
        "settings.token_once": (
            "Copy this token now: it is shown only once.",
            "이 토큰을 지금 복사하세요: 한 번만 보여 줍니다.",
        ),
        "settings.token_revoke": ("Revoke {name}", "{name} 폐기"),
        "settings.token_revoked": ("Token {name} revoked.", "토큰 {name}을(를) 폐기했습니다."),
        "settings.server": ("Background server", "백그라운드 서버"),
    }
)


def t(key: str, language: str = "en", **values: object) -> str:
    """The text of `key` in `language` (English for an unknown language), with `values` filled in.
    An unknown key is a programming error and raises KeyError (a test covers every page)."""
    english, korean = _STRINGS[key]
    text = korean if language == "ko" else english
    return text.format(**values) if values else text


def keys() -> list[str]:
    return list(_STRINGS)
