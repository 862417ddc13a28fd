# The edge (Hono + PostGraphile) built from this repository. Node 22 is required.
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY db ./db
COPY proxy ./proxy
COPY tsconfig.json ./
RUN mkdir /keys && chown node /keys
USER node
ENV NODE_ENV=production PORT=3000
EXPOSE 3000
CMD ["node", "--import", "tsx", "proxy/server.ts"]
