#![forbid(unsafe_code)]

fn main() {
    std::process::exit(ferry::cli::main());
}
