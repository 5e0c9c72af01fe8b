using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ChannelMaxConnections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "smtp_max_connections",
                table: "channels",
                type: "integer",
                nullable: true);

            // Relays set before this column existed get the default (SmtpSettings.DefaultMaxConnections).
            migrationBuilder.Sql("UPDATE channels SET smtp_max_connections = 4 WHERE smtp_host IS NOT NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "smtp_max_connections",
                table: "channels");
        }
    }
}
