# One image for the three services; docker-compose.yml picks the entry point per service.
# Built in stages so the runtime image holds the compiled code and production dependencies only:
# no TypeScript, Jest, SWC or Nest CLI.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
RUN npm run build

FROM node:24-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are skipped: the production package that has one (msgpackr-extract) ships its
# binaries as optional platform packages. TypeScript stays behind --omit=dev because it is also an
# optional peer of @nestjs/swagger (used only by its build plugin), so it is removed by hand. npm's
# cache stays in this stage: only node_modules reaches the runtime image.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver

FROM node:24-slim
ENV NODE_ENV=production APP_ENV=production
WORKDIR /app
# package.json carries the "#config"-style import map that resolves into dist/.
COPY --from=production-dependencies /app/package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 8080 8090
CMD ["node", "dist/apps/registry/src/main.js"]
