import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

/** What Apollo Sandbox and the bundled GraphiQL open with: something that runs at once, signed in or not. */
export const EXPLORER_SAMPLE_DOCUMENT = `# Runs as it is. Signed out, \`me\` is null: sign up with the mutation below
# (uncomment it and run it alone), then paste its accessToken after "Bearer "
# in the Authorization header.
query Explore {
  currencies {
    code
    name
  }
  me {
    id
    email
  }
}

# mutation SignUp {
#   signUp(input: { email: "ada@example.com", password: "correct horse", fullName: "Ada Lovelace" }) {
#     accessToken
#     refreshToken
#     user { id email }
#   }
# }
`;

export const EXPLORER_HEADERS: Record<string, string> = { Authorization: 'Bearer ' };

/** Where the Sandbox page points when Apollo's CDN cannot be reached (relative to /graphql). */
const GRAPHIQL_LINK = './graphiql';

/**
 * Apollo Sandbox (outside production) with the sample document and the header ready, and a
 * visible link to the bundled GraphiQL: Sandbox's UI comes from Apollo's CDN, so offline it
 * shows only "Apollo Sandbox cannot be loaded".
 */
export function sandboxLandingPage(): ApolloServerPlugin {
  const inner = ApolloServerPluginLandingPageLocalDefault({
    embed: true,
    includeCookies: false,
    document: EXPLORER_SAMPLE_DOCUMENT,
    headers: EXPLORER_HEADERS,
  });
  return {
    async serverWillStart(service) {
      const listener = await inner.serverWillStart?.(service);
      const render = listener?.renderLandingPage;
      if (!listener || !render) return listener;
      return {
        ...listener,
        async renderLandingPage() {
          const page = await render();
          const html = page.html;
          return { html: typeof html === 'string' ? withGraphiQLLink(html) : async () => withGraphiQLLink(await html()) };
        },
      };
    },
  };
}

/**
 * Adds the link to Apollo's page. The page sets its own CSP (styles need its nonce), so the
 * link's style borrows the nonce when one is there; without it the link is still in the page.
 */
export function withGraphiQLLink(html: string): string {
  const nonce = /'nonce-([A-Za-z0-9+/=_-]+)'/.exec(html)?.[1];
  const style = nonce
    ? `<style nonce="${nonce}">#graphiql-link{position:fixed;z-index:1000;right:12px;bottom:12px;padding:4px 8px;` +
      `font:13px/1.4 sans-serif;background:#fff;color:#1a5fb4;border:1px solid #c0c0c0;border-radius:4px;opacity:.9}</style>`
    : '';
  const link = `${style}<a id="graphiql-link" href="${GRAPHIQL_LINK}">Offline? Open the bundled GraphiQL</a>`;
  const end = html.lastIndexOf('</body>');
  return end === -1 ? html + link : html.slice(0, end) + link + html.slice(end);
}
