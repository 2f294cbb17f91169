/// mimalloc instead of glibc's malloc: a launch allocates ~100 small blocks (the canonical
/// string, the session, the answer), and glibc's bookkeeping for them was ~14 % of its time;
/// with mimalloc a server serves ~15 % more launches per second (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    marktstand::server::cli::main()
}
