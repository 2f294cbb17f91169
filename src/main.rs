fn main() -> std::process::ExitCode {
    marktstand::server::cli::main()
}
