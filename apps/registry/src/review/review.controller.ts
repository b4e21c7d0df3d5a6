import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { ApproveVersionDto, PromoteDto, RejectVersionDto, RollbackDto } from './dto/review.dto.js';
import { ReviewService } from './review.service.js';

@ApiTags('review')
@ApiBearerAuth()
@Controller()
export class ReviewController {
  constructor(private readonly review: ReviewService) {}

  @Post('versions/:id/submit')
  @HttpCode(200)
  async submit(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string) {
    return { version: await this.review.submitVersion(user, versionId) };
  }

  @Post('versions/:id/approve')
  @HttpCode(200)
  async approve(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string, @Body() body: ApproveVersionDto) {
    return { version: await this.review.approveVersion(user, versionId, { note: body.note, overrideEval: body.override_eval }) };
  }

  @Post('versions/:id/reject')
  @HttpCode(200)
  async reject(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string, @Body() body: RejectVersionDto) {
    return { version: await this.review.rejectVersion(user, versionId, body.note) };
  }

  @Post('versions/:id/quick-approve')
  @HttpCode(200)
  async quickApprove(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string) {
    return { version: await this.review.quickApproveVersion(user, versionId) };
  }

  @Post('prompts/:id/rollback')
  async rollback(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Body() body: RollbackDto) {
    return { version: await this.review.rollback(user, promptId, { versionNum: body.version_num, note: body.note }) };
  }

  @Post('prompts/:id/promote')
  async promote(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Body() body: PromoteDto) {
    return { version: await this.review.promote(user, promptId, body.target_environment_id.toLowerCase()) };
  }
}
