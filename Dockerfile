# Multi-stage build: compile TypeScript, then a slim runtime image running as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./
COPY --from=build /app/views ./views
COPY --from=build /app/public ./public
COPY --from=build /app/locales ./locales
RUN mkdir -p /data && chown node:node /data
USER node
ENV DATA_DIR=/data PORT=3000
EXPOSE 3000
# A heap budget: V8 then grows the heap by smaller steps and collects sooner, which keeps the
# process under 250 MB at load instead of letting garbage pile up to 300 MB (docs/performance.md,
# "Memory"). The bench starts the app with the flags of this line.
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=16", "dist/src/server.js"]
