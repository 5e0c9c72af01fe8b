using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class MIGRATION_inbound : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_messages_channel_id",
                table: "messages");

            migrationBuilder.DropIndex(
                name: "ix_messages_message_id_header",
                table: "messages");

            migrationBuilder.AddColumn<bool>(
                name: "auto_reply",
                table: "messages",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "cancel_on_reply",
                table: "messages",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "cancel_reason",
                table: "messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "date",
                table: "messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "received_attachments",
                table: "messages",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "imap_folder",
                table: "channels",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "imap_host",
                table: "channels",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "imap_password_protected",
                table: "channels",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "imap_port",
                table: "channels",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "imap_security",
                table: "channels",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "imap_username",
                table: "channels",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "imap_mailboxes",
                columns: table => new
                {
                    channel_id = table.Column<long>(type: "bigint", nullable: false),
                    uid_validity = table.Column<long>(type: "bigint", nullable: false),
                    last_uid = table.Column<long>(type: "bigint", nullable: false),
                    lease_owner = table.Column<Guid>(type: "uuid", nullable: true),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_imap_mailboxes", x => x.channel_id);
                    table.ForeignKey(
                        name: "fk_imap_mailboxes_channels_channel_id",
                        column: x => x.channel_id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "message_attachments",
                columns: table => new
                {
                    message_id = table.Column<long>(type: "bigint", nullable: false),
                    index = table.Column<int>(type: "integer", nullable: false),
                    organization_id = table.Column<long>(type: "bigint", nullable: false),
                    file_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    content_type = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_message_attachments", x => new { x.message_id, x.index });
                    table.ForeignKey(
                        name: "fk_message_attachments_message_message_id",
                        column: x => x.message_id,
                        principalTable: "messages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_message_attachments_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organizations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "message_sources",
                columns: table => new
                {
                    message_id = table.Column<long>(type: "bigint", nullable: false),
                    organization_id = table.Column<long>(type: "bigint", nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_message_sources", x => x.message_id);
                    table.ForeignKey(
                        name: "fk_message_sources_message_message_id",
                        column: x => x.message_id,
                        principalTable: "messages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_message_sources_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organizations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_messages_channel_id_message_id_header",
                table: "messages",
                columns: new[] { "channel_id", "message_id_header" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_messages_organization_id_message_id_header",
                table: "messages",
                columns: new[] { "organization_id", "message_id_header" });

            migrationBuilder.CreateIndex(
                name: "ix_message_attachments_organization_id",
                table: "message_attachments",
                column: "organization_id");

            migrationBuilder.CreateIndex(
                name: "ix_message_sources_organization_id",
                table: "message_sources",
                column: "organization_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "imap_mailboxes");

            migrationBuilder.DropTable(
                name: "message_attachments");

            migrationBuilder.DropTable(
                name: "message_sources");

            migrationBuilder.DropIndex(
                name: "ix_messages_channel_id_message_id_header",
                table: "messages");

            migrationBuilder.DropIndex(
                name: "ix_messages_organization_id_message_id_header",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "auto_reply",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "cancel_on_reply",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "cancel_reason",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "date",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "received_attachments",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "imap_folder",
                table: "channels");

            migrationBuilder.DropColumn(
                name: "imap_host",
                table: "channels");

            migrationBuilder.DropColumn(
                name: "imap_password_protected",
                table: "channels");

            migrationBuilder.DropColumn(
                name: "imap_port",
                table: "channels");

            migrationBuilder.DropColumn(
                name: "imap_security",
                table: "channels");

            migrationBuilder.DropColumn(
                name: "imap_username",
                table: "channels");

            migrationBuilder.CreateIndex(
                name: "ix_messages_channel_id",
                table: "messages",
                column: "channel_id");

            migrationBuilder.CreateIndex(
                name: "ix_messages_message_id_header",
                table: "messages",
                column: "message_id_header",
                unique: true);
        }
    }
}
