/**
 * The Content-Security-Policy of the console and /docs: scripts, styles, fonts and images from
 * this origin only, API calls to this origin only, no frames, no plugins, no inline anything.
 *
 * NOTE on styles: `style-src 'self'` without 'unsafe-inline'. The console keeps every style in
 * its stylesheet, and Preact (like the React inside Swagger UI) applies a `style` prop through
 * the CSSOM, which CSP does not restrict; so nothing needs inline styles, and an injected
 * `<style>` or `style=""` attribute is refused like an injected script. `data:` images are
 * allowed for the icons Swagger UI's stylesheet embeds; nothing else loads from data: URLs.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join("; ");
