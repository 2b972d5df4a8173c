"""The two live APIs as JobLens reads them: how a page is asked for, how an API says no, and one bounded,
retried GET.

- 고용24 채용정보: list `callTp=L` paged by `startPage`/`display` (XML), detail `callTp=D` per `wantedAuthNo`.
- KEAD 장애인 구인 실시간 현황 (data.go.kr): `job_list_env` with `serviceKey`, `pageNo`, `numOfRows` (JSON).

Timeouts and 5xx are retried with jittered exponential backoff (tenacity); an API's own refusal (invalid key,
quota used up, unknown service) is `ApiRefused` and is never retried: the sync stops and says where to resume.
The key is removed from every message, whatever the server or httpx echoes back.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import re
import socket
from dataclasses import dataclass
from urllib.parse import quote

import httpx
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential_jitter

MAX_RESPONSE_BYTES = 20 * 1024 * 1024  # one page of 1,000 postings is ~3 MB


class _RedactKeys(logging.Filter):
    """httpx logs every request URL at INFO, and a 고용24 URL carries the key: every API key in use is replaced
    by '***' in any record of the HTTP loggers before a handler sees it."""

    keys: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for key in self.keys:
            message = message.replace(key, "***")
        record.msg, record.args = message, ()
        return True


_REDACT = _RedactKeys()
for _name in ("httpx", "httpcore", "tenacity", "urllib3"):
    logging.getLogger(_name).addFilter(_REDACT)


class ApiError(RuntimeError):
    """A page could not be had after the retries (timeouts, 5xx): a re-run resumes at this page."""


class ApiRefused(ApiError):
    """The API refused the request on its own terms (invalid key, quota, unknown service): stop, do not retry."""


@dataclass(frozen=True)
class Api:
    name: str  # 'worknet' | 'kead'
    url: str
    key: str
    page_size: int = 100
    detail_url: str = ""
    timeout: float = 20.0
    retries: int = 4

    def __post_init__(self) -> None:
        if len(self.key) >= 4:
            _RedactKeys.keys.update({self.key, quote(self.key, safe=""), quote(self.key)})

    def check_urls(self) -> None:
        """ApiError, in Korean and naming the setting, for an endpoint the key must not be sent to."""
        for url, setting in ((self.url, f"JOBLENS_{self.name.upper()}_API_URL"),
                             (self.detail_url, f"JOBLENS_{self.name.upper()}_DETAIL_URL")):
            if url:
                check_url(url, setting)

    @property
    def ingest_format(self) -> str:
        return "worknet-xml" if self.name == "worknet" else "kead-json"

    def list_params(self, page: int) -> dict[str, str]:
        if self.name == "worknet":
            return {"authKey": self.key, "callTp": "L", "returnType": "XML", "startPage": str(page),
                    "display": str(self.page_size)}
        return {"serviceKey": self.key, "pageNo": str(page), "numOfRows": str(self.page_size), "_type": "json"}

    def detail_params(self, wanted_auth_no: str) -> dict[str, str]:
        return {"authKey": self.key, "callTp": "D", "returnType": "XML", "wantedAuthNo": wanted_auth_no,
                "infoSvc": "VALIDATION"}

    def redact(self, text: str) -> str:
        if len(self.key) < 4:
            return text
        for form in (self.key, quote(self.key, safe=""), quote(self.key)):
            text = text.replace(form, "***")
        return text


def api_for(name: str) -> Api:
    """The configured API, or ValueError saying how to give it a key."""
    from ..settings import settings

    config = settings()
    key = config.api_key(name)
    if not key:
        env = "JOBLENS_WORKNET_API_KEY" if name == "worknet" else "JOBLENS_KEAD_API_KEY"
        raise ValueError(f"{name} API 키가 없습니다: 환경변수 {env} 또는 .streamlit/secrets.toml [api] {name}_key 에 넣으세요 "
                         "(README '실시간 데이터' 참고)")
    url = config.worknet_api_url if name == "worknet" else config.kead_api_url
    return Api(name, url, key, config.api_page_size, config.worknet_detail_url, config.api_timeout, config.api_retries)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host written as a number means, in any form a resolver takes ('2852039166', '0xa9fea9fe')."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if re.fullmatch(r"(?:0x[0-9a-f]+|\d+)(?:\.(?:0x[0-9a-f]+|\d+)){0,3}", host):
        try:
            return ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def check_url(url: str, setting: str) -> None:
    """An API endpoint the key may go to: http(s), no user name or password in it, and not a link-local, multicast
    or cloud metadata address (169.254.169.254 answered here; the key rides in the query). A loopback or private
    address is allowed: a local mirror or an office proxy is a real set-up."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as e:
        raise ApiError(f"{setting} 주소를 읽을 수 없습니다 ({e}): 설정을 확인하세요") from None
    if parsed.scheme not in ("http", "https"):
        raise ApiError(f"{setting} 주소는 http:// 또는 https://여야 합니다 (지금: {parsed.scheme or '없음'}://)")
    if parsed.userinfo:
        raise ApiError(f"{setting} 주소에 사용자 이름·비밀번호가 들어 있습니다: 빼고 설정하세요")
    host = parsed.host.rstrip(".").lower()
    address = _address(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not host or host in {"metadata.google.internal", "metadata"} or (address and (
            address.is_link_local or address.is_multicast or address.is_unspecified
            or address == ipaddress.ip_address("100.100.100.200"))):  # Alibaba's metadata address
        raise ApiError(f"{setting} 주소({host or '없음'})로는 키를 보내지 않습니다: 공공 API 주소를 설정하세요")


def api_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The client a sync asks with: redirects followed, each checked like the setting itself (a redirect to a
    metadata address would carry the key along), and none from https down to http (the key would travel in clear).
    `transport`: a test's stand-in for the network."""
    return httpx.Client(follow_redirects=True, transport=transport,
                        event_hooks={"request": [_checked_redirect], "response": [_no_downgrade]})


def _checked_redirect(request: httpx.Request) -> None:
    check_url(str(request.url.copy_with(query=None)), "서버가 보낸 리디렉션")


def _no_downgrade(response: httpx.Response) -> None:
    if response.has_redirect_location and response.request.url.scheme == "https":
        target = response.request.url.join(response.headers["Location"])
        if target.scheme != "https":
            raise ApiError(f"서버가 https 주소를 암호화되지 않은 주소({target.scheme}://{target.host})로 리디렉션했습니다: "
                           "키가 암호화 없이 전송되므로 따르지 않습니다 (API 주소 설정을 확인하세요)")


_REFUSALS = {  # data.go.kr returnReasonCode → meaning (the rest of its codes are refusals too)
    "12": "서비스가 없거나 폐기됨", "20": "서비스 접근 거부", "22": "일일 호출 한도 초과", "30": "등록되지 않은 서비스키",
    "31": "기한이 만료된 서비스키", "32": "등록되지 않은 IP",
}


def refusal(body: str) -> str | None:
    """The API's own error in a 200 reply, in Korean, or None for a normal page."""
    m = re.search(r"<returnReasonCode>\s*(\d+)\s*</returnReasonCode>", body)
    if m:
        msg = re.search(r"<returnAuthMsg>\s*([^<]*)</returnAuthMsg>", body)
        return f"{_REFUSALS.get(m.group(1), 'API 오류')} (코드 {m.group(1)}{', ' + msg.group(1) if msg else ''})"
    m = re.search(r"<(?:messageCd|errorCode)>\s*([^<\s]+)\s*</(?:messageCd|errorCode)>", body)
    if m and m.group(1) not in {"0", "00", "000"}:
        msg = re.search(r"<(?:message|errorMsg)>\s*([^<]*)</(?:message|errorMsg)>", body)
        return f"API 오류 (코드 {m.group(1)}{': ' + msg.group(1) if msg else ''})"
    m = re.search(r"<(?:errMsg|error|returnAuthMsg)>\s*([^<]+?)\s*</", body)  # an error element with no code
    if m and m.group(1) not in {"NORMAL SERVICE.", "NORMAL_SERVICE", "OK"}:
        return f"API 오류 ({m.group(1)[:100]})"
    if body.lstrip().startswith("{"):
        try:
            data = json.loads(body)
            header = data.get("response", {}).get("header", {}) or data  # the header, or a bare {"resultCode": …}
        except (json.JSONDecodeError, AttributeError):
            return None
        code = str(header.get("resultCode", "00")) if isinstance(header, dict) else "00"
        if code not in {"00", "0", "0000"}:
            return f"{_REFUSALS.get(code, 'API 오류')} (코드 {code}: {header.get('resultMsg', '')})"
    return None


def listed_total(body: str) -> int | None:
    """How many records the whole list holds, as a page says (고용24 `<total>`, KEAD `totalCount`); None if unsaid."""
    m = re.search(r"<total>\s*(\d+)\s*</total>|\"totalCount\"\s*:\s*\"?(\d+)", body)
    return int(m.group(1) or m.group(2)) if m else None


def _transient(e: BaseException) -> bool:
    return isinstance(e, httpx.TimeoutException | httpx.TransportError) or (
        isinstance(e, httpx.HTTPStatusError) and e.response.status_code >= 500)


def get(api: Api, client: httpx.Client, url: str, params: dict[str, str]) -> str:
    """One page: retried on timeouts and 5xx, refused on the API's own errors; ApiError when retries run out."""
    @retry(retry=retry_if_exception(_transient), stop=stop_after_attempt(api.retries),
           wait=wait_exponential_jitter(multiplier=0.5, max=20, jitter=1), reraise=True)
    def attempt() -> str:
        with client.stream("GET", url, params=params, timeout=api.timeout) as response:
            if response.status_code in (401, 403):
                raise ApiRefused(f"인증 거부 (HTTP {response.status_code}): 키를 확인하세요")
            if response.status_code == 429:
                raise ApiRefused("호출 한도 초과 (HTTP 429)" + (f", {response.headers['Retry-After']}초 뒤 다시"
                                                           if "Retry-After" in response.headers else ""))
            response.raise_for_status()
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise ApiError(f"응답이 너무 큼 (> {MAX_RESPONSE_BYTES // 2**20} MB)")
        text = bytes(body).decode("utf-8", errors="replace")
        refused = refusal(text)
        if refused:
            raise ApiRefused(refused)
        return text

    try:
        return attempt()
    except ApiError as e:
        raise type(e)(api.redact(str(e))) from None
    except httpx.HTTPError as e:  # the last transient failure: its message may carry the URL with the key
        what = f"HTTP {e.response.status_code}" if isinstance(e, httpx.HTTPStatusError) else type(e).__name__
        raise ApiError(api.redact(f"{what} ({api.retries}회 시도 후)")) from None
