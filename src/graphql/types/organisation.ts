import { Field, ObjectType } from 'type-graphql';
import { DateScalar } from '../scalars';
import { AgencyKindEnum, AgencyTierEnum, CertificateStatusEnum, PersonnelRoleEnum, RegionLevelEnum } from '../enums';

@ObjectType({ description: '行政区划（GB/T 2260）' })
export class Region {
  @Field() code!: string;
  @Field() name!: string;
  @Field(() => RegionLevelEnum) level!: string;
  @Field(() => String, { nullable: true }) parentCode!: string | null;
}

@ObjectType({ description: '行政执法主体' })
export class Agency {
  @Field({ description: '统一社会信用代码' }) uscc!: string;
  @Field() name!: string;
  @Field() regionCode!: string;
  @Field(() => AgencyTierEnum) tier!: string;
  @Field({ description: '执法领域' }) domain!: string;
  @Field(() => AgencyKindEnum) kind!: string;
}

/** Personnel as the viewer may see them: the public gets names and certificate numbers only (DOMAIN.md §6). */
@ObjectType({ description: '执法人员；公众仅见姓名与执法证号' })
export class Person {
  @Field() agencyUscc!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) certificateNo!: string | null;
  @Field(() => String, { nullable: true, description: '公众视图为空' }) personId!: string | null;
  @Field(() => PersonnelRoleEnum, { nullable: true }) role!: string | null;
  @Field(() => String, { nullable: true }) certificateCategory!: string | null;
  @Field(() => CertificateStatusEnum, { nullable: true }) certificateStatus!: string | null;
  @Field(() => DateScalar, { nullable: true }) certificateIssuedOn!: string | null;
  @Field(() => DateScalar, { nullable: true }) certificateExpiresOn!: string | null;
  @Field(() => Boolean, { nullable: true, description: '法律职业资格' }) legalQualification!: boolean | null;
}
