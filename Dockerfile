# The edge (Hono + PostGraphile) built from this repository. Node 22 is required.
# Stage 1 type-checks the sources (the build fails on a type error); stage 2 is the runtime.
FROM node:22-bookworm-slim AS check
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY db ./db
COPY proxy ./proxy
RUN npx tsc --noEmit -p tsconfig.build.json

FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=check /app/db ./db
COPY --from=check /app/proxy ./proxy
COPY tsconfig.json tsconfig.build.json ./
RUN mkdir /keys && chown node /keys
USER node
ENV NODE_ENV=production PORT=3000
EXPOSE 3000
# A 512 MB heap keeps memory bounded under hostile traffic (docs/benchmarks.md, bench:memory).
CMD ["node", "--max-old-space-size=512", "--import", "tsx", "proxy/server.ts"]
