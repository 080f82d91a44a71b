//! The trunk entry point: mounts the playground into the page's `<body>`.

fn main() {
    web::start();
}
