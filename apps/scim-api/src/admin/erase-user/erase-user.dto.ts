import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class EraseUserDto {
  @ApiProperty({ description: 'Why the person is erased; kept in the audit trail, so name a ticket rather than the person', example: 'GDPR Art. 17 request, ticket 4711' })
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class ErasedUserDto {
  @ApiProperty() userId!: string;
  @ApiProperty({ enum: ['erased'] }) status!: 'erased';
  @ApiProperty({ description: 'When the erasure was recorded (the first one, when asked again)' }) erasedAt!: string;
}
