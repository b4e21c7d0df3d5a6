# One image for the three services; docker-compose.yml picks the entry point per service.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production APP_ENV=production
WORKDIR /app
# package.json carries the "#config"-style import map that resolves into dist/.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 8080 8090
CMD ["node", "dist/apps/registry/src/main.js"]
