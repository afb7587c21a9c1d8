//! Generate a large, deterministic Unified Audit Log export for measuring ingest speed
//! (`docs/perf.md`, "The Unified Audit Log").
//!
//! ```sh
//! cargo run --release --example generate_ual -- --records 600000 --sign-ins 25 --out /tmp/ual.csv
//! cargo run --release --example generate_ual -- --records 600000 --sign-ins 100 --shape jsonl --out /tmp/ual.jsonl
//! ```
//!
//! `--shape purview` (default): a Purview audit search export (`RecordId, CreationDate, RecordType,
//! Operation, UserId, AuditData, ...`, every cell quoted, the AuditData JSON with `""` escapes);
//! `--shape powershell`: `Search-UnifiedAuditLog | Export-Csv` (V3 header, en-US dates); `--shape
//! jsonl`: one AuditData object per line (Microsoft-Extractor-Suite). `--sign-ins P`: the percentage
//! of records that are STS logons (the rest is mailbox, SharePoint and Teams activity, as in a real
//! export). Records are a pure function of `(seed, index)`, streamed: memory stays flat. Everything
//! is synthetic (documentation address ranges, made-up GUIDs); never commit the output.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};

/// The library generator's splitmix64, one independent stream per record.
struct Rng(signin_audit::generate::Rng);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(signin_audit::generate::Rng::new(seed))
    }

    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn guid(&mut self) -> String {
        self.0.guid_text()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Purview,
    PowerShell,
    Jsonl,
}

const USERS: u64 = 5000;
const TENANT: &str = "8d4121ed-0008-406d-bff9-0d5bb312183c";
/// 2026-01-01T00:00:00Z, and the 90 days the records spread over.
const START: i64 = 1_767_225_600;
const SPAN: u64 = 90 * 86_400;
const AGENTS: [&str; 4] = [
    "Mozilla\\/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit\\/537.36 (KHTML, like Gecko) Chrome\\/130.0.0.0 Safari\\/537.36 Edg\\/130.0.2849.68",
    "Mozilla\\/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit\\/605.1.15 (KHTML, like Gecko) Version\\/18.0 Safari\\/605.1.15",
    "Mozilla\\/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell\\/5.1.19041.3031",
    "python-requests\\/2.31.0",
];
const APPS: [&str; 4] = [
    "4765445b-32c6-49b0-83e6-1d93765276ca",
    "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
    "1b730954-1685-4b74-9bfd-dac224a7b894",
    "00000002-0000-0ff1-ce00-000000000000",
];

/// One record: (record type name, operation, user, ISO time, AuditData JSON).
fn record(seed: u64, i: u64, sign_in_share: u64) -> (&'static str, &'static str, String, String, String) {
    let mut r = Rng::new(seed ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let secs = START + r.below(SPAN) as i64;
    let time = chrono::DateTime::from_timestamp(secs, 0).map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()).unwrap_or_default();
    let u = r.below(USERS);
    let upn = format!("user{u:05}@contoso.example");
    let key = format!("0d0d{u:04x}-0000-4000-8000-{u:012x}");
    let ip = format!("203.0.{}.{}", 113 + r.below(3), r.below(250) + 1);
    let id = r.guid();
    if r.below(100) < sign_in_share {
        let failed = r.below(10) < 2;
        let (op, status, code, err) = if failed {
            ("UserLoginFailed", "Failed", "50126", r#","LogonError":"InvalidUserNameOrPassword""#)
        } else {
            ("UserLoggedIn", "Success", "0", "")
        };
        let ua = AGENTS[r.below(AGENTS.len() as u64) as usize];
        let app = APPS[r.below(APPS.len() as u64) as usize];
        let request = if r.below(4) == 0 { "OAuth2:Token" } else { "OAuth2:Authorize" };
        let session = if failed { String::new() } else { format!(r#",{{"Name":"SessionId","Value":"{}"}}"#, r.guid()) };
        let json = format!(
            r#"{{"CreationTime":"{time}","Id":"{id}","Operation":"{op}","OrganizationId":"{TENANT}","RecordType":15,"ResultStatus":"{status}","UserKey":"{key}","UserType":0,"Version":1,"Workload":"AzureActiveDirectory","ClientIP":"{ip}","ObjectId":"00000003-0000-0000-c000-000000000000","UserId":"{upn}","AzureActiveDirectoryEventType":1,"ExtendedProperties":[{{"Name":"ResultStatusDetail","Value":"{rsd}"}},{{"Name":"UserAgent","Value":"{ua}"}},{{"Name":"UserAuthenticationMethod","Value":"1"}},{{"Name":"RequestType","Value":"{request}"}}],"ModifiedProperties":[],"Actor":[{{"ID":"{key}","Type":0}},{{"ID":"{upn}","Type":5}}],"ActorContextId":"{TENANT}","ActorIpAddress":"{ip}","InterSystemsId":"{corr}","IntraSystemId":"{id}","SupportTicketId":"","Target":[{{"ID":"00000003-0000-0000-c000-000000000000","Type":0}}],"TargetContextId":"{TENANT}","ApplicationId":"{app}","DeviceProperties":[{{"Name":"OS","Value":"Windows 10"}},{{"Name":"BrowserType","Value":"Edge"}},{{"Name":"IsCompliantAndManaged","Value":"False"}}{session}],"ErrorNumber":"{code}"{err}}}"#,
            rsd = if failed { "UserError" } else { "Success" },
            corr = r.guid(),
        );
        return ("AzureActiveDirectoryStsLogon", op, upn, time, json);
    }
    let common = |op: &str, rt: u32, workload: &str| {
        format!(
            r#""CreationTime":"{time}","Id":"{id}","Operation":"{op}","OrganizationId":"{TENANT}","RecordType":{rt},"ResultStatus":"Succeeded","UserKey":"{key}","UserType":0,"Version":1,"Workload":"{workload}","ClientIP":"{ip}","UserId":"{upn}""#
        )
    };
    match r.below(3) {
        0 => {
            let folders: Vec<String> = (0..1 + r.below(4))
                .map(|_| {
                    format!(
                        r#"{{"FolderItems":[{{"InternetMessageId":"<{}@mail.contoso.example>","SizeInBytes":{}}}],"Path":"\\Inbox"}}"#,
                        r.guid(),
                        r.below(90_000)
                    )
                })
                .collect();
            let json = format!(
                r#"{{{},"AppId":"{}","ClientAppId":"","ClientIPAddress":"{ip}","ClientInfoString":"Client=OWA;Action=ViaProxy","ExternalAccess":false,"InternalLogonType":0,"LogonType":0,"LogonUserSid":"S-1-5-21-{}","MailboxGuid":"{}","MailboxOwnerUPN":"{upn}","OperationProperties":[{{"Name":"MailAccessType","Value":"Bind"}},{{"Name":"IsThrottled","Value":"False"}}],"OrganizationName":"contoso.onmicrosoft.example","OriginatingServer":"AM0PR0{}MB1234 (15.20.7000.000)","SessionId":"{}","Folders":[{}],"OperationCount":{}}}"#,
                common("MailItemsAccessed", 50, "Exchange"),
                APPS[0],
                r.below(u64::MAX >> 1),
                r.guid(),
                r.below(9),
                r.guid(),
                folders.join(","),
                1 + r.below(30)
            );
            ("ExchangeItemAggregated", "MailItemsAccessed", upn, time, json)
        }
        1 => {
            let json = format!(
                r#"{{{},"ObjectId":"https:\/\/contoso.sharepoint.example\/sites\/team{}\/Shared Documents\/report-{}.docx","UserAgent":"{}","CorrelationId":"{}","EventSource":"SharePoint","ItemType":"File","ListId":"{}","ListItemUniqueId":"{}","Site":"{}","WebId":"{}","SourceFileExtension":"docx","SiteUrl":"https:\/\/contoso.sharepoint.example\/sites\/team{}\/","SourceFileName":"report-{}.docx","SourceRelativeUrl":"Shared Documents"}}"#,
                common("FileAccessed", 6, "SharePoint"),
                r.below(40),
                r.below(100_000),
                AGENTS[0],
                r.guid(),
                r.guid(),
                r.guid(),
                r.guid(),
                r.guid(),
                r.below(40),
                r.below(100_000)
            );
            ("SharePointFileOperation", "FileAccessed", upn, time, json)
        }
        _ => {
            let json = format!(
                r#"{{{},"CommunicationType":"Team","ItemName":"General","MessageId":"{}","Members":[{{"DisplayName":"User {u}","Role":1,"UPN":"{upn}"}}],"TeamGuid":"19:{}@thread.tacv2","TeamName":"Team {}","ChannelGuid":"19:{}@thread.tacv2","ChannelName":"General","AppAccessContext":{{"AADSessionId":"{}","ClientAppId":"{}"}}}}"#,
                common("MessageSent", 25, "MicrosoftTeams"),
                r.below(u64::MAX >> 12),
                r.guid(),
                r.below(40),
                r.guid(),
                r.guid(),
                APPS[1]
            );
            ("MicrosoftTeams", "MessageSent", upn, time, json)
        }
    }
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut records, mut share, mut shape, mut out, mut seed) = (100_000u64, 25u64, Shape::Purview, None, 42u64);
    while let Some(a) = args.next() {
        let mut value = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--records" => records = value()?.parse()?,
            "--sign-ins" => share = value()?.parse()?,
            "--seed" => seed = value()?.parse()?,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--shape" => {
                shape = match value()?.as_str() {
                    "purview" => Shape::Purview,
                    "powershell" => Shape::PowerShell,
                    "jsonl" => Shape::Jsonl,
                    s => bail!("unknown shape {s}"),
                }
            }
            _ => bail!("unknown argument {a}"),
        }
    }
    let out = out.context("--out FILE is required")?;
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&out).with_context(|| out.display().to_string())?);
    match shape {
        Shape::Purview => writeln!(
            w,
            r#""RecordId","CreationDate","RecordType","Operation","UserId","AuditData","AssociatedAdminUnits","AssociatedAdminUnitsNames""#
        )?,
        Shape::PowerShell => writeln!(
            w,
            r#""RecordType","CreationDate","UserIds","Operations","AuditData","ResultIndex","ResultCount","Identity","IsValid","ObjectState""#
        )?,
        Shape::Jsonl => {}
    }
    let (mut bytes, mut sign_ins) = (0u64, 0u64);
    for i in 0..records {
        let (rt, op, user, time, json) = record(seed, i, share);
        sign_ins += u64::from(rt == "AzureActiveDirectoryStsLogon");
        let id = json.get(json.find(r#""Id":""#).map_or(0, |k| k + 6)..).and_then(|s| s.get(..36)).unwrap_or("").to_string();
        let line = match shape {
            Shape::Purview => format!(
                "{},{},\"{rt}\",\"{op}\",\"{user}\",{},\"\",\"\"\r\n",
                quoted(&id),
                quoted(&format!("{time}.0000000Z ")),
                quoted(&json)
            ),
            Shape::PowerShell => {
                let t = chrono::NaiveDateTime::parse_from_str(&time, "%Y-%m-%dT%H:%M:%S")
                    .map(|t| t.format("%-m/%-d/%Y %-I:%M:%S %p").to_string())?;
                format!(
                    "\"{rt}\",\"{t}\",\"{user}\",\"{op}\",{},\"{}\",\"{records}\",\"{id}\",\"True\",\"Unchanged\"\n",
                    quoted(&json),
                    i + 1
                )
            }
            Shape::Jsonl => format!("{json}\r\n"),
        };
        bytes += line.len() as u64;
        w.write_all(line.as_bytes())?;
    }
    w.flush()?;
    println!("{records} records ({sign_ins} STS logons), {bytes} bytes of records, to {}", out.display());
    Ok(())
}
