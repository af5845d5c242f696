//! The `dms-console` binary: everything happens in `dms_console::cli`.

fn main() -> std::process::ExitCode {
    dms_console::cli::main()
}
