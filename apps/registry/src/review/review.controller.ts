import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { ApproveVersionDto, PromoteDto, RejectVersionDto, RollbackDto } from './dto/review.dto.js';
import { ReviewService } from './review.service.js';
import { ApiAnswer } from '../openapi/api-answers.js';
import { ApiErrors, FOUND_WITH_ROLE } from '../openapi/error-response.js';

@ApiTags('review')
@ApiBearerAuth()
@Controller()
export class ReviewController {
  constructor(private readonly review: ReviewService) {}

  @Post('versions/:id/submit')
  @ApiOperation({ summary: 'Submit a version for review', description: 'Role: editor. draft -> pending_review; a rules eval is queued, and a judge eval where the environment has a judge and a saved key.' })
  @ApiAnswer(200, 'VersionAnswer', 'The version, now pending_review; its evals are queued.')
  @ApiErrors(...FOUND_WITH_ROLE, 'invalid_transition')
  @HttpCode(200)
  async submit(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string) {
    return { version: await this.review.submitVersion(user, versionId) };
  }

  @Post('versions/:id/approve')
  @ApiOperation({ summary: 'Approve a version', description: 'Role: reviewer. Checked in this order: role, status pending_review, four eyes (self_approval), base still live (stale_base), the eval gate, then the test gate; override_eval passes both gates for admins and owners.' })
  @ApiAnswer(200, 'VersionAnswer', 'The version, now live.')
  @ApiErrors(...FOUND_WITH_ROLE, 'self_approval', 'invalid_transition', 'stale_base', 'eval_required', 'eval_below_threshold', 'tests_required', 'tests_failed')
  @HttpCode(200)
  async approve(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string, @Body() body: ApproveVersionDto) {
    return { version: await this.review.approveVersion(user, versionId, { note: body.note, overrideEval: body.override_eval }) };
  }

  @Post('versions/:id/reject')
  @ApiOperation({ summary: 'Reject a version', description: 'Role: reviewer. The note is required.' })
  @ApiAnswer(200, 'VersionAnswer', 'The version, now rejected.')
  @ApiErrors(...FOUND_WITH_ROLE, 'invalid_transition')
  @HttpCode(200)
  async reject(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string, @Body() body: RejectVersionDto) {
    return { version: await this.review.rejectVersion(user, versionId, body.note) };
  }

  @Post('versions/:id/quick-approve')
  @ApiOperation({ summary: 'Quick-approve a draft', description: 'Role: editor. Development servers only, in unprotected environments; the eval gate applies without override.' })
  @ApiAnswer(200, 'VersionAnswer', 'The draft, now live (development servers, unprotected environments).')
  @ApiErrors(...FOUND_WITH_ROLE, 'self_approval', 'invalid_transition', 'stale_base', 'eval_required', 'eval_below_threshold', 'tests_required', 'tests_failed')
  @HttpCode(200)
  async quickApprove(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string) {
    return { version: await this.review.quickApproveVersion(user, versionId) };
  }

  @Post('prompts/:id/rollback')
  @ApiOperation({ summary: 'Roll back', description: 'Role: reviewer. A new version repeating a version that was live, live at once.' })
  @ApiAnswer(201, 'VersionAnswer', 'A new approved version with that version\'s content, live at once.')
  @ApiErrors(...FOUND_WITH_ROLE, 'not_previously_live')
  async rollback(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Body() body: RollbackDto) {
    return { version: await this.review.rollback(user, promptId, { versionNum: body.version_num, note: body.note }) };
  }

  @Post('prompts/:id/promote')
  @ApiOperation({ summary: 'Promote to another environment', description: 'Role: editor. The live content proposed for review in another environment of the workspace.' })
  @ApiAnswer(201, 'VersionAnswer', 'The live content proposed as pending_review in the target environment.')
  @ApiErrors(...FOUND_WITH_ROLE, 'no_live_version')
  async promote(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Body() body: PromoteDto) {
    return { version: await this.review.promote(user, promptId, body.target_environment_id.toLowerCase()) };
  }
}
