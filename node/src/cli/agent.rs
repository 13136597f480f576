//! `redoubt agent ...`: run an agent locally with no daemon; install, list
//! and remove agents on a running node; list and export the built-in agents.

use super::common::{Common, UsageError, block_on, exit};
use crate::store::AgentRecord;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use redoubt_sandbox::package_files::{MAX_MANIFEST_BYTES, read_regular};
use redoubt_sandbox::{AgentPackage, HostServices, JobReport, Sandbox, SandboxConfig};
use serde_json::json;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Prefix naming an agent embedded in this binary instead of a package directory.
const BUILTIN: &str = "builtin:";

/// Agent commands.
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Run one agent locally, with no daemon, and print its output and the resources it used.
    ///
    /// HTTP, LLM and delegation have no node behind them here and fail with
    /// "not available in local run"; the key-value store lives in memory.
    Run(RunArgs),
    /// Install a package directory or `builtin:NAME` on the running node.
    Install {
        /// A package directory (manifest.toml + agent.wasm), or `builtin:NAME`.
        package: String,
        /// Use this manifest file (a regular file, not a link) instead of the package's own.
        #[arg(long)]
        manifest: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// List the agents installed on the running node.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Remove an agent from the running node.
    Rm {
        /// The agent's name.
        name: String,
        #[command(flatten)]
        common: Common,
    },
    /// List the agents built into this binary (examples and hostile test agents).
    Builtins {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a built-in agent as a package directory (manifest.toml + agent.wasm).
    Export {
        /// The built-in agent's name (see `redoubt agent builtins`).
        name: String,
        /// The directory to create.
        dir: PathBuf,
    },
}

/// Arguments of `redoubt agent run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// A package directory (manifest.toml + agent.wasm), or `builtin:NAME`.
    package: String,
    /// The job's input: a file, or `-` for standard input.
    #[arg(long, short)]
    input: String,
    /// Print a JSON report instead of the output and a summary.
    #[arg(long)]
    json: bool,
    /// The node's data directory (holds the compiled-component cache).
    #[arg(long, env = "REDOUBT_HOME")]
    home: Option<PathBuf>,
}

/// Runs an agent command.
pub fn run(cmd: AgentCommand) -> ExitCode {
    let result = match cmd {
        AgentCommand::Run(args) => run_local(args),
        AgentCommand::Builtins { json } => list_builtins(json).map(|()| ExitCode::SUCCESS),
        AgentCommand::Export { name, dir } => export(&name, &dir).map(|()| ExitCode::SUCCESS),
        AgentCommand::Install { package, manifest, common } => return exit(install(&package, manifest, &common)),
        AgentCommand::List { common } => return exit(list(&common)),
        AgentCommand::Rm { name, common } => return exit(remove(&name, &common)),
    };
    result.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        ExitCode::from(2)
    })
}

fn run_local(args: RunArgs) -> anyhow::Result<ExitCode> {
    let package = read_package(&args.package)?;
    let input = read_input(&args.input)?;
    let home = crate::home::Home::resolve(args.home);
    crate::file_modes::create_dir(&home.component_cache())
        .with_context(|| format!("creating {}", home.component_cache().display()))?;
    let config = SandboxConfig { cache_dir: Some(home.component_cache()), ..SandboxConfig::default() };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let sandbox = Sandbox::new(config).context("starting the sandbox")?;
    let agent = match sandbox.load(package) {
        Ok(agent) => agent,
        Err(error) => {
            eprintln!("refused: {error}");
            return Ok(ExitCode::from(1));
        }
    };
    let report = runtime.block_on(sandbox.run(&agent, "local", &input, HostServices::local()));
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json_report(agent.package(), &report))?);
    } else {
        print_human(agent.package(), &report)?;
    }
    Ok(if report.outcome.is_ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn read_package(spec: &str) -> anyhow::Result<AgentPackage> {
    if let Some(name) = spec.strip_prefix(BUILTIN) {
        let agent = find_builtin(name)?;
        return Ok(AgentPackage::from_parts(agent.manifest, agent.component)?);
    }
    AgentPackage::from_dir(Path::new(spec)).with_context(|| format!("reading the package {spec}"))
}

fn find_builtin(name: &str) -> anyhow::Result<&'static redoubt_agents::BuiltAgent> {
    match redoubt_agents::find(name) {
        Some(agent) => Ok(agent),
        None => bail!("no built-in agent named {name:?}; `redoubt agent builtins` lists them"),
    }
}

fn read_input(spec: &str) -> anyhow::Result<Vec<u8>> {
    if spec == "-" {
        let mut input = Vec::new();
        std::io::stdin().read_to_end(&mut input).context("reading standard input")?;
        return Ok(input);
    }
    std::fs::read(spec).with_context(|| format!("reading the input file {spec}"))
}

fn json_report(package: &AgentPackage, report: &JobReport) -> serde_json::Value {
    let (status, output, error) = match &report.outcome {
        Ok(output) => ("succeeded", Some(String::from_utf8_lossy(output).into_owned()), None),
        Err(error) => ("failed", None, Some(error)),
    };
    json!({
        "agent": package.manifest().name,
        "version": package.manifest().version,
        "code_hash": package.code_hash(),
        "manifest_hash": package.manifest_hash(),
        "status": status,
        "output": output,
        "error": error,
        "usage": report.usage,
        "console": String::from_utf8_lossy(&report.console),
    })
}

fn print_human(package: &AgentPackage, report: &JobReport) -> anyhow::Result<()> {
    use std::io::Write;
    match &report.outcome {
        Ok(output) => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(output)?;
            if !output.ends_with(b"\n") {
                writeln!(stdout)?;
            }
        }
        Err(error) => eprintln!("job failed: {error}"),
    }
    let usage = &report.usage;
    let calls = &usage.host_calls;
    eprintln!(
        "-- {} {} ({}): {:.3} ms, fuel {}, memory peak {} KiB, output {} B, log {} B / {} lines, \
         host calls: http {} llm {} kv {} delegate {}",
        package.manifest().name,
        package.manifest().version,
        &package.code_hash().to_string()[..16],
        usage.wall_time_us as f64 / 1000.0,
        usage.fuel,
        usage.memory_peak_bytes / 1024,
        usage.output_bytes,
        usage.log_bytes,
        usage.log_lines,
        calls.http,
        calls.llm,
        calls.kv,
        calls.delegate,
    );
    Ok(())
}

fn list_builtins(json: bool) -> anyhow::Result<()> {
    let rows: Vec<_> = redoubt_agents::all()
        .iter()
        .map(|agent| {
            let package = AgentPackage::from_parts(agent.manifest, agent.component)?;
            let kind = match agent.kind {
                redoubt_agents::AgentKind::Example => "example",
                redoubt_agents::AgentKind::Hostile => "hostile",
            };
            Ok((agent.name, kind, package))
        })
        .collect::<anyhow::Result<_>>()?;
    if json {
        let list: Vec<_> = rows
            .iter()
            .map(|(name, kind, package)| {
                json!({
                    "name": name,
                    "kind": kind,
                    "description": package.manifest().description,
                    "code_hash": package.code_hash(),
                    "bytes": package.component().len(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        for (name, kind, package) in &rows {
            println!("{BUILTIN}{name:<22} {kind:<8} {}", package.manifest().description);
        }
    }
    Ok(())
}

fn export(name: &str, dir: &Path) -> anyhow::Result<()> {
    let agent = find_builtin(name)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join(redoubt_sandbox::package::MANIFEST_FILE), agent.manifest)?;
    std::fs::write(dir.join(redoubt_sandbox::package::COMPONENT_FILE), agent.component)?;
    println!("wrote {} to {}", agent.name, dir.display());
    Ok(())
}

fn install(spec: &str, manifest: Option<PathBuf>, common: &Common) -> anyhow::Result<ExitCode> {
    let package = read_package(spec).map_err(|e| UsageError(format!("{e:#}")))?;
    let manifest_text = match manifest {
        Some(path) => {
            let bytes = read_regular(&path, MAX_MANIFEST_BYTES).map_err(|e| UsageError(e.to_string()))?;
            String::from_utf8(bytes).map_err(|_| UsageError(format!("{} is not UTF-8 text", path.display())))?
        }
        None => package.manifest_text().to_owned(),
    };
    let client = common.client()?;
    let record = block_on(client.install(&manifest_text, package.component()))?;
    common.print(&record, |r| format!("installed {} {} ({})", r.name, r.version, r.code_hash));
    Ok(ExitCode::SUCCESS)
}

fn list(common: &Common) -> anyhow::Result<ExitCode> {
    let agents = block_on(common.client()?.agents())?;
    common.print(&agents, |agents: &Vec<AgentRecord>| {
        agents
            .iter()
            .map(|a| format!("{:<20} {:<8} {}  {}\n", a.name, a.version, &a.code_hash[..16], a.description))
            .collect()
    });
    Ok(ExitCode::SUCCESS)
}

fn remove(name: &str, common: &Common) -> anyhow::Result<ExitCode> {
    block_on(common.client()?.remove_agent(name))?;
    common.print(&serde_json::json!({ "removed": name }), |_| format!("removed {name}"));
    Ok(ExitCode::SUCCESS)
}
