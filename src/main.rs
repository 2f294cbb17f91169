/// mimalloc instead of glibc's malloc: a launch allocates many small blocks (the canonical
/// string, the session, the answer), and glibc's malloc and free were ~14 % of its time
/// (perf); with mimalloc the server serves ~15 % more launches per second (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    marktstand::server::cli::main()
}
