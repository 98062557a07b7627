# One image for both processes of the production topology:
#   API:       node dist/apps/scim-api/src/main.js   (default command)
#   projector: node dist/apps/projector/src/main.js
# Build: docker build -t scim-provisioning .

# The full Debian image has python3, make and g++: better-sqlite3 (the embedded adapter, a runtime
# dependency) compiles from source when no prebuilt binary can be fetched.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY scripts/build.js scripts/build.js
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Same Debian release as the build stage, so the compiled native module loads.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# DATA_DIR (./data) is used in embedded mode only; distributed mode keeps nothing on disk.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080 8081
# As `npm run start:prod` (test/compose checks they agree): the old-space limit tells V8 the heap
# budget of a single node; V8 derives one from the host's memory otherwise (4 GB on a 24 GB host)
# and then lets the heap grow to 4x the live data between full collections (README, Memory).
CMD ["node", "--max-old-space-size=1536", "dist/apps/scim-api/src/main.js"]
