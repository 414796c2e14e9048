fn main() {
    // Embeds templates/ in the binary, so `meshgen` is one standalone file.
    minijinja_embed::embed_templates!("templates");
}
